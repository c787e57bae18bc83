// Settings: skip threshold, explicit filter, exploration, Spotify, the outbox, log out.
import { api, ApiError } from "../api.js";
import { h } from "../dom.js";
import { libraryCard } from "./library.js";
import { spotifyCard } from "./spotify.js";
import { subsonicCard } from "./subsonic.js";

function describe(row) {
  const when = new Date(row.at).toLocaleTimeString();
  return `${row.type} · ${row.track_id} · ${Math.round(row.position_ms / 1000)} s · ${when}`;
}

export function settingsView({ me, outbox, onSettings, onLogout, onSpotifyChange, onSourcesChange, onSubsonicChange, spotifyFlash = null }) {
  const s = me.settings;
  const errors = {};
  const errorSlot = (name) => (errors[name] = h("p", { class: "field-error", id: `set-${name}-error`, role: "alert" }));
  const value = h("input", { id: "set-skip-value", name: "skip_threshold_value", type: "number", min: 1, max: 600, step: 1, value: s.skip_threshold_value, "aria-describedby": "set-skip_threshold_value-error" });
  const unit = h("select", { id: "set-skip-unit", name: "skip_threshold_unit", "aria-label": "Skip threshold unit" },
    h("option", { value: "seconds", selected: s.skip_threshold_unit === "seconds" }, "seconds"),
    h("option", { value: "percent", selected: s.skip_threshold_unit === "percent" }, "% of the track"));
  const explicit = h("input", { id: "set-explicit", name: "allow_explicit", type: "checkbox", checked: s.allow_explicit });
  const exploration = h("input", { id: "set-exploration", name: "exploration", type: "range", min: 0, max: 1, step: 0.05, value: s.exploration, "aria-describedby": "set-exploration-hint" });
  const saved = h("p", { class: "saved", role: "status" });
  const form = h("form", { class: "card", "aria-labelledby": "set-listening" },
    h("h2", { id: "set-listening" }, "Listening"),
    h("div", { class: "field" },
      h("label", { for: "set-skip-value" }, "A skip counts against a track before"),
      h("div", { class: "row" }, value, unit),
      errorSlot("skip_threshold_value")),
    h("div", { class: "field check" }, explicit, h("label", { for: "set-explicit" }, "Allow explicit tracks")),
    h("div", { class: "field" },
      h("label", { for: "set-exploration" }, "Exploration"),
      exploration,
      h("p", { class: "hint", id: "set-exploration-hint" }, "Left: more of what you know. Right: more discoveries."),
      errorSlot("exploration")),
    h("button", { type: "submit", class: "primary" }, "Save settings"), saved);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const slot of Object.values(errors)) slot.textContent = "";
    saved.textContent = "";
    try {
      const settings = await api("/api/me/settings", {
        method: "PATCH",
        body: {
          skip_threshold_value: Number(value.value),
          skip_threshold_unit: unit.value,
          allow_explicit: explicit.checked,
          exploration: Number(exploration.value),
        },
      });
      saved.textContent = "Saved.";
      await onSettings(settings);
    } catch (error) {
      const fields = error instanceof ApiError ? error.fields : {};
      let placed = false;
      for (const [name, message] of Object.entries(fields)) {
        if (errors[name]) {
          errors[name].textContent = message;
          placed = true;
        }
      }
      if (!placed) saved.textContent = error.message;
    }
  });

  const spotify = spotifyCard({ me, returnTo: "/settings", flash: spotifyFlash, onDisconnect: onSpotifyChange });

  const pendingList = h("ul", { class: "outbox-list", id: "outbox-pending" });
  const failedList = h("ul", { class: "outbox-list", id: "outbox-failed" });
  const pendingCount = h("span", { id: "outbox-pending-count" }, "0");
  const failedCount = h("span", { id: "outbox-failed-count" }, "0");
  const retry = h("button", { type: "button", class: "ghost", id: "outbox-retry", onclick: () => outbox.retryFailed() }, "Retry failed");
  const send = h("button", { type: "button", class: "ghost", id: "outbox-send", onclick: () => outbox.flush() }, "Send now");
  const renderOutbox = ({ detail }) => {
    pendingCount.textContent = String(detail.pending);
    failedCount.textContent = String(detail.failed);
    pendingList.replaceChildren(...detail.pendingRows.slice(0, 20).map((r) => h("li", {}, describe(r))));
    failedList.replaceChildren(...detail.failedRows.map((r) => h("li", {}, describe(r), h("span", { class: "field-error" }, ` — ${r.error}`))));
    retry.disabled = detail.failed === 0;
  };
  outbox.addEventListener("change", renderOutbox);
  const outboxCard = h("section", { class: "card", "aria-labelledby": "set-outbox" },
    h("h2", { id: "set-outbox" }, "Listening history waiting to sync"),
    h("p", {}, pendingCount, " waiting to be sent, ", failedCount, " refused by the server."),
    h("div", { class: "row" }, send, retry),
    h("h3", {}, "Waiting"), pendingList,
    h("h3", {}, "Refused"), failedList);

  const library = libraryCard({ me, onSources: async (settings) => {
    await onSettings(settings);
    await onSourcesChange?.();
  } });
  const logout = h("button", { type: "button", class: "danger", id: "logout", onclick: onLogout }, "Log out");
  const view = h("section", { class: "settings", "aria-labelledby": "settings-title" },
    h("h1", { id: "settings-title" }, "Settings"),
    h("p", { class: "lede" }, `Signed in as ${me.display_name} (@${me.username}).`),
    form, library, spotify, subsonicCard({ me, onChange: onSubsonicChange }),
    outboxCard, h("div", { class: "card" }, logout));
  outbox.refresh();
  view.dispose = () => {
    outbox.removeEventListener("change", renderOutbox);
    library.dispose();
  };
  return view;
}

/** Ask before logging out with interactions still unsent; resolves true to go ahead. */
export function confirmLogout(pendingCount) {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "confirm", "aria-labelledby": "confirm-title" },
      h("h2", { id: "confirm-title" }, "Log out with unsent listening history?"),
      h("p", {}, `${pendingCount} interaction${pendingCount === 1 ? " hasn't" : "s haven't"} reached the server yet. ` +
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
