// The player bar: play/pause, next (= skip), seek, volume, progress, like/dislike; the names
// link to the artist, the expand button opens the full-screen now playing, Queue the queue.
import { coverUrl, h } from "../dom.js";
import { icon } from "../icons.js";
import { seekBar } from "./seek-bar.js";
import { artistLinks } from "./track-list.js";

export function playerBar(root, playback, { onExpand = null, onLike = null, isLiked = () => false } = {}) {
  const cover = h("img", { class: "cover", alt: "", width: 48, height: 48, hidden: true }); // no blank square: "Nothing playing" needs the room
  const title = h("p", { class: "title", id: "player-title" }, "Nothing playing");
  const artists = h("p", { class: "artists" }, "Pick a song to play");
  const btn = (label, glyph, onclick, id) => h("button", { type: "button", class: "icon", "aria-label": label, onclick, id }, icon(glyph));
  const playBtn = btn("Play", "play", () => playback.toggle(), "play-pause");
  const dislike = btn("Dislike", "dislike", () => playback.dislike(), "dislike");
  const like = btn("Like", "like", async () => {
    const track = playback.current?.track;
    if (onLike && track) await onLike(track);
    else playback.like();
    like.setAttribute("aria-pressed", String(Boolean(track) && isLiked(track.id))); // nothing playing: nothing liked
  }, "like");
  like.setAttribute("aria-pressed", "false");
  const next = btn("Next (skip)", "next", () => playback.next(), "next");
  const progress = seekBar(playback, { seekId: "seek", elapsedId: "elapsed", totalId: "duration" });
  const volume = h("input", { type: "range", min: 0, max: 1, step: 0.05, value: playback.volume, id: "volume", "aria-label": "Volume" });
  volume.addEventListener("input", () => playback.setVolume(Number(volume.value)));

  root.replaceChildren(
    h("div", { class: "now" }, cover, h("div", { class: "meta" }, title, artists),
      onExpand ? h("button", { type: "button", class: "icon expand", id: "open-now-playing", "aria-label": "Open now playing", onclick: onExpand }, "⤢") : null,
      onExpand ? h("a", { href: "/queue", "data-link": true, class: "button ghost small", id: "open-queue" }, "Queue") : null),
    h("div", { class: "controls" }, dislike, playBtn, next, like),
    progress.element,
    h("label", { class: "volume" }, icon("volume"), volume));
  root.setAttribute("aria-label", "Player");
  root.hidden = false;
  // The page keeps room for the bar as tall as it really is (it wraps on narrow screens).
  new ResizeObserver(() => {
    document.documentElement.style.setProperty("--player-space", `${root.hidden ? 0 : root.offsetHeight}px`);
    document.documentElement.classList.toggle("with-player", !root.hidden); // notices sit in the bar
  }).observe(root);

  playback.addEventListener("track", ({ detail: track }) => {
    title.textContent = track.name;
    artists.replaceChildren(...artistLinks(track));
    const url = coverUrl(track, 64);
    if (url) cover.src = url;
    cover.hidden = !url;
    like.setAttribute("aria-pressed", String(isLiked(track.id)));
    root.dataset.trackId = track.id;
  });
  playback.addEventListener("state", ({ detail: s }) => {
    playBtn.replaceChildren(icon(s.playing ? "pause" : "play"));
    playBtn.setAttribute("aria-label", s.playing ? "Pause" : "Play");
    root.dataset.playing = String(s.playing);
    root.dataset.position = String(Math.round(s.position_ms));
    progress.show(s);
  });
}
