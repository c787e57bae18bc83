// Your account: change the password (every other device is signed out), download everything
// Encore stores about you, delete the account and all of it.
import { h } from "../dom.js";
import { confirmDialog } from "./dialogs.js";

export function accountView(lib) {
  const current = h("input", { type: "password", id: "current-password", autocomplete: "current-password" });
  const fresh = h("input", { type: "password", id: "new-password", autocomplete: "new-password", "aria-describedby": "new-password-hint" });
  const message = h("p", { class: "hint", role: "status", id: "password-status" });
  const form = h("form", { class: "card", id: "password-form", "aria-labelledby": "password-title" },
    h("h2", { id: "password-title" }, "Change password"),
    h("div", { class: "field" }, h("label", { for: "current-password" }, "Current password"), current),
    h("div", { class: "field" }, h("label", { for: "new-password" }, "New password"), fresh,
      h("p", { class: "hint", id: "new-password-hint" }, "At least 8 characters. Your other devices will be signed out.")),
    h("button", { type: "submit", class: "primary" }, "Change password"), message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    try {
      await lib.api("/api/me/password", { method: "POST", body: { current: current.value, new: fresh.value } });
      current.value = fresh.value = "";
      message.textContent = "Password changed. Every other device is signed out.";
    } catch (error) {
      message.textContent = error.code === "wrong_password" ? "That is not your current password."
        : error.code === "offline" ? "Changing the password needs the network."
          : error.message.replace(/^new: (Value error, )?[Mm]ust be at least 8 bytes/, "The new password needs at least 8 characters.");
    }
  });

  const remove = h("button", { type: "button", class: "danger", id: "delete-account", onclick: async () => {
    const password = await confirmDialog({ title: "Delete your account?", danger: true, password: true, action: "Delete my account",
      text: "Your account, plays, likes, playlists, taste and connections are deleted from Encore for good." });
    if (password === null) return;
    try {
      await lib.api("/api/me", { method: "DELETE", body: { password } });
      await lib.onAccountGone();
    } catch (error) {
      deleteStatus.textContent = error.code === "wrong_password" ? "That is not your password: nothing was deleted."
        : error.code === "offline" ? "Deleting the account needs the network." : error.message;
    }
  } }, "Delete my account");
  const deleteStatus = h("p", { class: "hint", role: "status", id: "delete-status" });

  return h("section", { "aria-labelledby": "account-title" },
    h("h1", { id: "account-title" }, "Account"),
    h("p", { class: "lede" }, `Signed in as ${lib.me()?.username}.`),
    form,
    h("section", { class: "card", "aria-labelledby": "export-title" },
      h("h2", { id: "export-title" }, "Your data"),
      h("p", {}, "Everything Encore stores about you, as one JSON file."),
      h("a", { class: "button ghost", href: "/api/me/export", download: `encore-${lib.me()?.username}.json` }, "Download my data")),
    h("section", { class: "card", "aria-labelledby": "delete-title" },
      h("h2", { id: "delete-title" }, "Delete account"), remove, deleteStatus));
}
