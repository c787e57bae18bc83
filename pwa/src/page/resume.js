// The song a reload (or reopening the app) comes back to: the player's song, where it is and
// what was heard of it, kept per signed-in listener in IndexedDB (`setNowPlaying`); forgotten
// once judged (a finish must not be resumed and counted again) and on sign-out
// (outbox.setUser(null)).
//
// The player reports several times a second; the position is written at most once a second
// (a reload while playing loses under a second, as it did when every report was written), and
// at once when more than the position changes (another song, a pause, a judgement) and when
// the page is hidden or goes away, so a reload right after a pause resumes where it paused.
import { nowPlaying, setNowPlaying } from "../shared/outbox.js";
import { onPageHidden } from "./page-hidden.js";

const KEEP_EVERY_MS = 1000;

/** Keep `playback`'s song for `user()` (null: nobody signed in, nothing kept). */
export function keepNowPlaying(playback, user) {
  let kept = null; // what was last written: {key, position_ms, heard_ms, at}
  let timer = null;

  function keep({ now = false } = {}) {
    clearTimeout(timer);
    timer = null;
    const username = user();
    if (!username) return;
    const c = playback.current;
    const state = c && !c.judged && !c.failed
      ? { user: username, track: c.track, position_ms: c.position_ms, heard_ms: c.heard_ms } : null;
    const key = state ? `${username} ${state.track.id} ${c.playing}` : username;
    if (kept?.key === key && kept.position_ms === state?.position_ms && kept.heard_ms === state?.heard_ms) return;
    const wait = kept?.key === key && !now ? kept.at + KEEP_EVERY_MS - performance.now() : 0;
    if (wait > 0) {
      timer = setTimeout(keep, wait); // the latest position, a second after the last write
      return;
    }
    kept = { key, position_ms: state?.position_ms, heard_ms: state?.heard_ms, at: performance.now() };
    setNowPlaying(state).catch((error) => console.warn("now playing not kept", error));
  }

  playback.addEventListener("track", () => keep());
  playback.addEventListener("state", () => keep());
  onPageHidden(() => keep({ now: true }));

  return {
    /** The signed-in listener's song from their last visit, paused where they left it. */
    async resume() {
      const saved = await nowPlaying(user());
      if (saved?.track && !playback.current) await playback.resume(saved.track, saved);
    },
  };
}
