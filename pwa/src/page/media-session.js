// Lock-screen and headset controls through the Media Session API, and keyboard shortcuts.
import { artistNames, coverUrl } from "./dom.js";

export function mediaSession(playback) {
  const ms = navigator.mediaSession;
  if (ms) {
    playback.addEventListener("track", ({ detail: track }) => {
      const art = coverUrl(track, 512);
      ms.metadata = new MediaMetadata({
        title: track.name,
        artist: artistNames(track),
        album: track.album?.name ?? "",
        artwork: art ? [{ src: new URL(art, location.href).href, sizes: "300x300", type: art.endsWith(".svg") ? "image/svg+xml" : "image/jpeg" }] : [],
      });
    });
    playback.addEventListener("state", ({ detail: s }) => {
      ms.playbackState = s.playing ? "playing" : "paused";
      if (s.duration_ms > 0 && ms.setPositionState) {
        try {
          ms.setPositionState({ duration: s.duration_ms / 1000, position: Math.min(s.position_ms, s.duration_ms) / 1000, playbackRate: 1 });
        } catch {
          /* transient inconsistent state while a track loads */
        }
      }
    });
    const handlers = {
      play: () => playback.toggle(),
      pause: () => playback.toggle(),
      nexttrack: () => playback.next(),
      seekto: (d) => playback.seek(d.seekTime * 1000),
      seekforward: (d) => playback.seek((playback.current?.position_ms ?? 0) + (d.seekOffset ?? 10) * 1000),
      seekbackward: (d) => playback.seek((playback.current?.position_ms ?? 0) - (d.seekOffset ?? 10) * 1000),
    };
    for (const [action, handler] of Object.entries(handlers)) {
      try {
        ms.setActionHandler(action, handler);
      } catch {
        /* action not supported by this browser */
      }
    }
  }

  // Space = play/pause, → = next, L = like; not while typing or on a focused control that uses the key.
  addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target;
    if (target.closest?.("input, select, textarea, [contenteditable], dialog")) return;
    if (e.key === " " && !target.closest?.("button, a")) {
      e.preventDefault();
      playback.toggle();
    } else if (e.key === "ArrowRight") {
      e.preventDefault();
      playback.next();
    } else if (e.key === "l" || e.key === "L") {
      // What the heart does (the liked list and the heart follow), but L only likes: a liked
      // song stays liked, and nothing playing likes nothing.
      const heart = document.getElementById("like");
      if (playback.current && heart?.getAttribute("aria-pressed") !== "true") heart.click();
    }
  });
}
