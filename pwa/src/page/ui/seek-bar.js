// The progress row of the player bar and of now playing: the time heard, a seek slider, the
// song's length. While a hand holds the slider it shows where the hand is, not the player.
import { formatTime, h } from "../dom.js";

export function seekBar(playback, { seekId, elapsedId, totalId } = {}) {
  const elapsed = h("span", { class: "time", id: elapsedId }, "0:00");
  const total = h("span", { class: "time", id: totalId }, "0:00");
  const seek = h("input", { type: "range", min: 0, max: 1000, step: 1, value: 0, id: seekId, "aria-label": "Seek", "aria-valuetext": "0:00" });
  let seeking = false;
  let duration = 0;
  seek.addEventListener("input", () => {
    seeking = true;
    elapsed.textContent = formatTime((seek.value / 1000) * duration);
  });
  seek.addEventListener("change", async () => {
    seeking = false;
    await playback.seek((seek.value / 1000) * duration);
  });
  return {
    element: h("div", { class: "progress" }, elapsed, seek, total),
    // A playback "state" event's detail.
    show(state) {
      duration = state.duration_ms;
      total.textContent = formatTime(duration);
      if (seeking) return;
      elapsed.textContent = formatTime(state.position_ms);
      seek.value = duration ? String(Math.round((state.position_ms / duration) * 1000)) : "0";
      seek.setAttribute("aria-valuetext", `${formatTime(state.position_ms)} of ${formatTime(duration)}`);
    },
  };
}
