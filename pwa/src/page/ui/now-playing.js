// Now playing, full screen (made for a phone, fine on a desktop): the cover, the names as links,
// progress with seeking, the controls, shuffle and repeat, and what comes next.
import { clear, coverUrl, h } from "../dom.js";
import { icon } from "../icons.js";
import { shuffleRepeat } from "./queue-view.js";
import { seekBar } from "./seek-bar.js";
import { albumLink, artistLinks } from "./track-list.js";

export function openNowPlaying(lib) {
  document.getElementById("now-playing")?.remove();
  const playback = lib.playback;
  const opener = document.activeElement;
  const cover = h("img", { class: "cover huge", alt: "", width: 320, height: 320 });
  const title = h("h2", { id: "np-title" }, "Nothing playing");
  const names = h("p", { class: "artists" });
  const progress = seekBar(playback, { seekId: "np-seek" });
  const playButton = h("button", { type: "button", class: "icon play big-play", id: "np-play", "aria-label": "Play", onclick: () => playback.toggle() }, icon("play"));
  const like = h("button", { type: "button", class: "icon", id: "np-like", "aria-label": "Like", "aria-pressed": "false", onclick: async () => {
    const track = playback.current?.track;
    if (!track) return;
    if (lib.isLiked(track.id)) await lib.unlike(track);
    else await lib.like(track);
    like.setAttribute("aria-pressed", String(lib.isLiked(track.id)));
  } }, icon("like"));
  const next = h("ol", { class: "up-next-mini", "aria-label": "Up next" });
  const modes = shuffleRepeat(lib);

  function showTrack() {
    const track = playback.current?.track;
    if (!track) return;
    const url = coverUrl(track, 640);
    cover.hidden = !url;
    if (url) cover.src = url;
    cover.alt = track.album?.name ? `Cover of ${track.album.name}` : "";
    title.textContent = track.name;
    names.replaceChildren(...artistLinks(track), ...(track.album?.name ? [" · ", albumLink(track)] : []));
    like.setAttribute("aria-pressed", String(lib.isLiked(track.id)));
    const coming = [];
    let probe = lib.listening.peek();
    if (probe) coming.push(probe);
    coming.push(...lib.listening.upNext.filter((t) => t.id !== probe?.id).slice(0, 2));
    if (coming.length < 3) coming.push(...lib.listening.contextAhead().filter((t) => !coming.includes(t)).slice(0, 3 - coming.length));
    if (coming.length < 3) coming.push(...lib.feed.tracks.filter((t) => t.id !== track.id && !coming.includes(t)).slice(0, 3 - coming.length));
    clear(next).append(...coming.slice(0, 3).map((t) => h("li", {}, `${t.name} — ${(t.artists ?? []).map((a) => a.name).join(", ")}`)));
  }
  function state({ detail: s }) {
    playButton.replaceChildren(icon(s.playing ? "pause" : "play"));
    playButton.setAttribute("aria-label", s.playing ? "Pause" : "Play");
    progress.show(s);
  }

  const close = () => dialog.close();
  const dialog = h("dialog", { id: "now-playing", class: "now-playing", "aria-labelledby": "np-title" },
    h("button", { type: "button", class: "icon close", "aria-label": "Close now playing", onclick: close }, icon("close")),
    h("p", { class: "kicker" }, lib.listening.context ? `Playing from ${lib.listening.context.name}` : "Playing from your feed"),
    cover, title, names,
    progress.element,
    h("div", { class: "controls" },
      h("button", { type: "button", class: "icon", "aria-label": "Dislike", onclick: () => playback.dislike() }, icon("dislike")),
      playButton,
      h("button", { type: "button", class: "icon", "aria-label": "Next (skip)", onclick: () => playback.next() }, icon("next")),
      like),
    modes,
    h("h3", {}, "Up next"), next,
    h("a", { href: "/queue", "data-link": true, class: "button ghost", onclick: close }, "Open the queue"));
  // Links inside lead to other pages: close first so the page behind shows them.
  dialog.addEventListener("click", (event) => {
    if (event.target.closest("a[data-link]")) close();
  });
  playback.addEventListener("track", showTrack);
  playback.addEventListener("state", state);
  lib.listening.addEventListener("change", showTrack);
  dialog.addEventListener("close", () => {
    playback.removeEventListener("track", showTrack);
    playback.removeEventListener("state", state);
    lib.listening.removeEventListener("change", showTrack);
    modes.dispose();
    dialog.remove();
    opener?.focus?.();
  });
  document.body.append(dialog);
  showTrack();
  const c = playback.current;
  if (c) state({ detail: { position_ms: c.position_ms ?? 0, duration_ms: c.duration_ms ?? 0, playing: Boolean(c.playing) } });
  dialog.showModal();
  return dialog;
}
