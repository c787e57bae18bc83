// The Spotify card, on the onboarding page and in settings: connected or not (and as whom),
// connect (coming back to the page it started from), disconnect, and what just happened on
// Spotify's consent page (`flash`: "connected" or "denied", read from ?spotify= by the page).
import { api } from "../api.js";
import { h } from "../dom.js";

const FLASH = {
  connected: "Spotify is connected.",
  denied: "Spotify isn't connected: the sign-in was cancelled on Spotify's page. You can connect it any time.",
};

function describe(sp) {
  if (sp.connected) {
    return `Connected${sp.display_name ? ` as ${sp.display_name}` : ""}${sp.product ? ` (${sp.product})` : ""}.`;
  }
  if (sp.configured === false) return "Spotify isn't set up on this server; Encore plays its other sources.";
  if (sp.reconnect) return `Reconnect needed: ${sp.message ?? "the authorisation expired."}`;
  return "Not connected.";
}

/**
 * @param {{me: object, returnTo: "/"|"/welcome"|"/settings", flash?: string|null, lede?: string,
 *          beforeConnect?: () => Promise<void>, onDisconnect?: () => Promise<void>}} options
 */
export function spotifyCard({ me, returnTo, flash = null, lede = null, beforeConnect, onDisconnect }) {
  const sp = me.spotify ?? {};
  if (sp.configured === false && returnTo === "/welcome") return null;
  const said = h("p", { class: `flash${flash === "denied" ? " warn" : ""}`, id: "spotify-flash", role: "status" }, FLASH[flash] ?? "");
  said.hidden = !FLASH[flash];
  const failure = h("p", { class: "field-error", role: "alert" });
  const connect = h("button", { type: "button", class: "button", id: "spotify-connect" }, "Connect Spotify");
  connect.addEventListener("click", async () => {
    connect.disabled = true;
    try {
      await beforeConnect?.(); // e.g. the onboarding picks, saved before leaving the page
      location.assign(`/auth/spotify/login?next=${encodeURIComponent(returnTo)}`);
    } catch (error) {
      failure.textContent = error.message;
      connect.disabled = false;
    }
  });
  const disconnect = h("button", { type: "button", class: "ghost", id: "spotify-disconnect" }, "Disconnect Spotify");
  disconnect.addEventListener("click", async () => {
    disconnect.disabled = true;
    try {
      await api("/api/spotify/disconnect", { method: "POST" });
      await onDisconnect?.();
    } catch (error) {
      failure.textContent = `Couldn't disconnect Spotify: ${error.message}`;
      disconnect.disabled = false;
    }
  });
  return h("section", { class: returnTo === "/welcome" ? "card soft" : "card", "aria-labelledby": "spotify-title" },
    h("h2", { id: "spotify-title" }, returnTo === "/welcome" ? "Spotify (optional)" : "Spotify"),
    lede && !sp.connected ? h("p", {}, lede) : null,
    h("p", { id: "spotify-status" }, describe(sp)),
    said, failure,
    sp.connected ? (onDisconnect ? disconnect : null) : sp.configured === false ? null : connect);
}
