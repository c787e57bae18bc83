// Settings: the cards, each from its own module (listening, your music, Spotify, Subsonic, the
// outbox), and log out.
import { h } from "../dom.js";
import { libraryCard } from "./library.js";
import { listeningSettings } from "./listening-settings.js";
import { outboxCard } from "./outbox-card.js";
import { spotifyCard } from "./spotify.js";
import { subsonicCard } from "./subsonic.js";

export function settingsView({ me, outbox, trackOf, onSettings, onLogout, onSpotifyChange, onSourcesChange, onSubsonicChange, spotifyFlash = null }) {
  const form = listeningSettings({ settings: me.settings, onSaved: onSettings });
  const spotify = spotifyCard({ me, returnTo: "/settings", flash: spotifyFlash, onDisconnect: onSpotifyChange });

  const outboxPart = outboxCard({ outbox, trackOf });

  const library = libraryCard({ me, onSources: async (settings) => {
    await onSettings(settings);
    await onSourcesChange?.();
  } });
  const logout = h("button", { type: "button", class: "danger", id: "logout", onclick: onLogout }, "Log out");
  const view = h("section", { class: "settings", "aria-labelledby": "settings-title" },
    h("h1", { id: "settings-title" }, "Settings"),
    h("p", { class: "lede" }, `Signed in as ${me.display_name} (@${me.username}).`),
    form, library, spotify, subsonicCard({ me, onChange: onSubsonicChange }),
    outboxPart,
    h("div", { class: "card row" }, h("a", { href: "/account", "data-link": true, class: "button ghost" }, "Account: password, your data, delete"), logout));
  view.dispose = () => {
    outboxPart.dispose();
    library.dispose();
  };
  return view;
}

/** Ask before logging out with plays still unsent; resolves true to go ahead. */
export function confirmLogout(pendingCount) {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "confirm", "aria-labelledby": "confirm-title" },
      h("h2", { id: "confirm-title" }, "Log out with unsent listening history?"),
      h("p", {}, `${pendingCount} play${pendingCount === 1 ? " hasn't" : "s haven't"} reached the server yet. ` +
        "They stay on this device and are sent when you log in again."),
      h("div", { class: "row" },
        h("button", { type: "button", class: "ghost", id: "confirm-cancel", onclick: () => dialog.close("cancel") }, "Stay logged in"),
        h("button", { type: "button", class: "danger", id: "confirm-logout", onclick: () => dialog.close("ok") }, "Log out anyway")));
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(dialog.returnValue === "ok");
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
