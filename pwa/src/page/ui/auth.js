// Sign up and log in: one form each; messages appear next to the field they name, in sentences
// (the form checks what it can before sending; the server's refusals are put in words too).
import { api, ApiError } from "../api.js";
import { h } from "../dom.js";

const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;
const SAY = {
  username: "Use 3 to 32 letters, digits, dots, dashes or underscores (no spaces).",
  passwordShort: "Use at least 8 characters.",
  passwordLong: "That's too long: use at most 1,000 characters.",
  displayName: "Use 1 to 64 characters, without control characters.",
};

/** Sign-up's own checks: {field: sentence} for what the server would refuse. */
function signupProblems(data) {
  const problems = {};
  if (!USERNAME.test(data.username ?? "")) problems.username = SAY.username;
  const bytes = new TextEncoder().encode(data.password ?? "").length;
  if ([...(data.password ?? "")].length < 8) problems.password = SAY.passwordShort;
  else if (bytes > 1024) problems.password = SAY.passwordLong;
  return problems;
}

/** A server message about `name`, as a sentence a person reads. */
function sentence(name, message) {
  if (name === "username" && !/taken/i.test(message)) return SAY.username;
  if (name === "password") return /at most|long/i.test(message) ? SAY.passwordLong : SAY.passwordShort;
  if (name === "display_name") return SAY.displayName;
  const text = message.replace(/^Value error, /, "");
  return text.charAt(0).toUpperCase() + text.slice(1).replace(/\.?$/, ".");
}

function field({ name, label, type = "text", autocomplete, hint }) {
  const id = `f-${name}`;
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    h("input", { id, name, type, autocomplete, required: true, "aria-describedby": `${id}-error${hint ? ` ${id}-hint` : ""}` }),
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null,
    h("p", { class: "field-error", id: `${id}-error`, role: "alert" }));
}

function showErrors(form, error, fields = error instanceof ApiError ? error.fields : {}) {
  let placed = false;
  for (const input of form.querySelectorAll("input")) {
    const slot = form.querySelector(`#f-${input.name}-error`);
    const given = fields[input.name];
    const message = !given ? "" : error ? sentence(input.name, given) : given;
    slot.textContent = message;
    input.setAttribute("aria-invalid", message ? "true" : "false");
    if (message && !placed) {
      input.focus();
      placed = true;
    }
  }
  form.querySelector(".form-error").textContent = placed ? "" : error?.message ?? "";
}

/** @param {"signup"|"login"} mode */
export function authView(mode, { onSignedIn, navigate }) {
  const signup = mode === "signup";
  const form = h("form", { class: "auth-form", novalidate: true, "aria-labelledby": "auth-title" },
    // The log-in page is also a first visitor's first page: no "Welcome back" to a stranger.
    h("h1", { id: "auth-title" }, signup ? "Create your Encore account" : "Log in to Encore"),
    h("p", { class: "lede" }, signup
      ? "A feed that learns from what you skip and what you play to the end."
      : "Pick up where you left off, or create an account to start."),
    field({ name: "username", label: "Username", autocomplete: "username", hint: signup ? "3 to 32 letters, digits, _ . -" : null }),
    signup ? field({ name: "display_name", label: "Display name (optional)", autocomplete: "nickname" }) : null,
    field({ name: "password", label: "Password", type: "password", autocomplete: signup ? "new-password" : "current-password", hint: signup ? "At least 8 characters" : null }),
    h("p", { class: "form-error", role: "alert" }),
    h("button", { class: "primary wide", type: "submit" }, signup ? "Sign up" : "Log in"),
    h("p", { class: "switch" }, signup ? "Already have an account? " : "New to Encore? ",
      h("a", { href: signup ? "/login" : "/signup", "data-link": true }, signup ? "Log in" : "Create an account")));
  if (signup) form.querySelector("#f-display_name").required = false;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    if (!data.display_name) delete data.display_name;
    const problems = signup ? signupProblems(data) : {};
    if (Object.keys(problems).length) {
      showErrors(form, null, problems);
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const account = await api(signup ? "/api/auth/signup" : "/api/auth/login", { method: "POST", body: data });
      await onSignedIn(account, { isNew: signup });
    } catch (error) {
      showErrors(form, error);
    } finally {
      button.disabled = false;
    }
  });
  return h("section", { class: "auth" }, form);
}
