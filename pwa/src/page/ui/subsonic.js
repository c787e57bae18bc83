// Settings card: the listener's Subsonic account (Navidrome, Gonic, Airsonic, Supysonic, …) and
// this Encore's server-wide Subsonic library. The password or API key goes to Encore's server
// once, in the connect request; the page never keeps it (no storage, the fields are cleared).
import { api } from "../api.js";
import { h } from "../dom.js";

function describeServer(server) {
  if (!server) return "";
  const kind = server.type === "subsonic" ? "Subsonic" : server.type;
  const extras = server.open_subsonic ? `OpenSubsonic, ${server.extensions.length} extension${server.extensions.length === 1 ? "" : "s"}` : `API ${server.api_version}`;
  return `${kind} ${server.version} (${extras})`;
}

function statusText(sub) {
  if (sub.own) {
    const who = sub.own.username ? ` as ${sub.own.username}` : " with an API key";
    return `Connected to ${sub.own.url}${who}: ${describeServer(sub.own.server)}.`;
  }
  if (sub.shared?.server) return `This Encore's Subsonic library: ${describeServer(sub.shared.server)} at ${sub.shared.url}.`;
  if (sub.shared?.error) return `This Encore's Subsonic library is unavailable: ${sub.shared.error}`;
  return "Not connected.";
}

export function subsonicCard({ me, onChange }) {
  const sub = me.subsonic ?? { connected: false, can_connect: false };
  const status = h("p", { id: "subsonic-status", role: "status" }, statusText(sub));
  const card = h("section", { class: "card", "aria-labelledby": "set-subsonic" },
    h("h2", { id: "set-subsonic" }, "Subsonic"), status);

  if (sub.own) {
    const error = h("p", { class: "field-error", id: "subsonic-error", role: "alert" });
    card.append(h("button", { type: "button", class: "ghost", id: "subsonic-disconnect", onclick: async () => {
      try {
        await api("/api/subsonic/disconnect", { method: "POST" });
        await onChange();
      } catch (failure) {
        error.textContent = failure.message;
      }
    } }, "Disconnect Subsonic"), error);
    return card;
  }
  if (!sub.can_connect) {
    card.append(h("p", { class: "hint" }, "This Encore does not connect listeners' own Subsonic servers."));
    return card;
  }

  const url = h("input", { id: "subsonic-url", name: "url", type: "url", required: true, placeholder: "https://music.example.org", autocomplete: "url", "aria-describedby": "subsonic-url-hint" });
  const username = h("input", { id: "subsonic-username", name: "username", autocomplete: "off" });
  const password = h("input", { id: "subsonic-password", name: "password", type: "password", autocomplete: "off" });
  const apiKey = h("input", { id: "subsonic-api-key", name: "api_key", type: "password", autocomplete: "off" });
  const byPassword = h("input", { type: "radio", name: "subsonic-auth", id: "subsonic-by-password", value: "password", checked: true });
  const byKey = h("input", { type: "radio", name: "subsonic-auth", id: "subsonic-by-key", value: "api_key" });
  const passwordFields = h("div", {},
    h("div", { class: "field" }, h("label", { for: "subsonic-username" }, "Username"), username),
    h("div", { class: "field" }, h("label", { for: "subsonic-password" }, "Password"), password));
  const keyFields = h("div", { hidden: true },
    h("div", { class: "field" }, h("label", { for: "subsonic-api-key" }, "API key"), apiKey));
  const showFields = () => {
    passwordFields.hidden = !byPassword.checked;
    keyFields.hidden = !byKey.checked;
  };
  byPassword.addEventListener("change", showFields);
  byKey.addEventListener("change", showFields);
  const error = h("p", { class: "field-error", id: "subsonic-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "primary", id: "subsonic-connect" }, "Connect Subsonic");
  const form = h("form", { id: "subsonic-form", "aria-labelledby": "set-subsonic" },
    h("div", { class: "field" },
      h("label", { for: "subsonic-url" }, "Server address"), url,
      h("p", { class: "hint", id: "subsonic-url-hint" }, "Navidrome, Gonic, Airsonic, Supysonic or any Subsonic server this Encore allows.")),
    h("fieldset", { class: "field" }, h("legend", {}, "Sign in with"),
      h("div", { class: "row" }, byPassword, h("label", { for: "subsonic-by-password" }, "User and password"),
        byKey, h("label", { for: "subsonic-by-key" }, "OpenSubsonic API key"))),
    passwordFields, keyFields, submit, error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    submit.disabled = true;
    status.textContent = "Connecting…";
    const body = { url: url.value.trim() };
    if (byKey.checked) body.api_key = apiKey.value;
    else Object.assign(body, { username: username.value.trim(), password: password.value });
    try {
      await api("/api/subsonic/connect", { method: "POST", body });
      password.value = "";
      apiKey.value = "";
      await onChange();
    } catch (failure) {
      status.textContent = statusText(sub);
      error.textContent = failure.message;
      submit.disabled = false;
    }
  });
  card.append(form);
  return card;
}
