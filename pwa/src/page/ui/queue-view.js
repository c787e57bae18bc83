// The queue: what plays now, your queue (reorder, remove, clear), the rest of what you started
// (an album, a playlist…), then your feed, which keeps the music going; shuffle and repeat.
import { clear, h } from "../dom.js";
import { trackList } from "./track-list.js";

const REPEAT_WORDS = { off: "Repeat: off", all: "Repeat: all", one: "Repeat: this song" };

export function shuffleRepeat(lib) {
  const listening = lib.listening;
  const shuffle = h("button", { type: "button", class: "ghost small toggle", id: "shuffle", "aria-pressed": String(listening.shuffle),
    onclick: () => listening.setShuffle(!listening.shuffle) }, "Shuffle");
  const repeat = h("button", { type: "button", class: "ghost small toggle", id: "repeat", "aria-pressed": String(listening.repeat !== "off"),
    onclick: () => listening.cycleRepeat() }, REPEAT_WORDS[listening.repeat]);
  const sync = () => {
    shuffle.setAttribute("aria-pressed", String(listening.shuffle));
    repeat.setAttribute("aria-pressed", String(listening.repeat !== "off"));
    repeat.textContent = REPEAT_WORDS[listening.repeat];
  };
  listening.addEventListener("change", sync);
  const box = h("div", { class: "row" }, shuffle, repeat);
  box.dispose = () => listening.removeEventListener("change", sync);
  return box;
}

export function queueView(lib) {
  const listening = lib.listening;
  const body = h("div", {});
  const controls = shuffleRepeat(lib);

  function render() {
    const current = lib.playback.current?.track;
    const queued = listening.upNext;
    const ahead = listening.contextAhead();
    const feed = lib.feed.tracks.filter((t) => t.id !== current?.id).slice(0, 10);
    clear(body).append(
      h("h2", {}, "Now playing"),
      current ? trackList([current], { lib, label: "Now playing", play: () => lib.playback.toggle() }) : h("p", { class: "hint" }, "Nothing yet."),
      h("div", { class: "section-head" }, h("h2", { id: "up-next" }, "Next in your queue"),
        queued.length ? h("button", { type: "button", class: "ghost small", onclick: () => listening.clear() }, "Clear queue") : null),
      queued.length ? trackList(queued, {
        lib, label: "Next in your queue",
        play: (i) => lib.playback.play(queued[i]),
        extraItems: (track, index) => [{ label: "Remove from queue", run: () => listening.remove(index) }],
        decorate: (row, track, index) => {
          row.querySelector(".row-actions").prepend(
            h("button", { type: "button", class: "icon small-icon move-up", "aria-label": `Move ${track.name} up`, disabled: index === 0, onclick: () => listening.move(index, index - 1) }, "↑"),
            h("button", { type: "button", class: "icon small-icon move-down", "aria-label": `Move ${track.name} down`, disabled: index === queued.length - 1, onclick: () => listening.move(index, index + 1) }, "↓"),
            h("button", { type: "button", class: "icon small-icon", "aria-label": `Remove ${track.name} from the queue`, onclick: () => listening.remove(index) }, "✕"));
        },
      }) : h("p", { class: "hint" }, "Use “Play next” or “Add to queue” in any ⋯ menu."),
      // spread: append() would print an array as "[object HTMLHeadingElement],…"
      ...(ahead.length ? [h("h2", {}, `Next from ${listening.context.name}`),
        trackList(ahead.slice(0, 50), { lib, label: `Next from ${listening.context.name}`, play: (i) => lib.playback.play(ahead[i]) })] : []),
      h("h2", {}, "Then your feed"),
      feed.length ? trackList(feed, { lib, label: "Then your feed", play: (i) => lib.playback.play(feed[i]) })
        : h("p", { class: "hint" }, "Your feed fills the queue when it runs out."));
  }
  listening.addEventListener("change", render);
  lib.feed.addEventListener("change", render);
  lib.playback.addEventListener("track", render);
  render();
  const view = h("section", { "aria-labelledby": "queue-title" }, h("h1", { id: "queue-title" }, "Queue"), controls, body);
  view.dispose = () => {
    controls.dispose();
    listening.removeEventListener("change", render);
    lib.feed.removeEventListener("change", render);
    lib.playback.removeEventListener("track", render);
  };
  return view;
}
