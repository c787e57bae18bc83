// A Subsonic track started: tell Encore's server, which shows it as "now playing" on the
// listener's Subsonic server (and reports playback where the server offers playbackReport).
// Fire and forget: offline or refused, the play goes on; the finish is scrobbled anyway.
import { api } from "./api.js";

export function reportNowPlaying(track, positionMs = 0) {
  if (track?.source !== "subsonic" || !navigator.onLine) return;
  api("/api/subsonic/now-playing", { method: "POST", body: { track_id: track.id, position_ms: Math.round(positionMs) } })
    .catch(() => { /* not worth a word to the listener */ });
}
