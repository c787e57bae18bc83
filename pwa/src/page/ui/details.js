// The track details panel: album, genres, why it is in the feed, the sound of the track (each
// quality once, in words and numbers: sound.js), and a Play button. Names are links to the
// artist and album pages.
import { coverUrl, h } from "../dom.js";
import { icon } from "../icons.js";
import { soundFacts } from "./sound.js";
import { albumLink, artistLinks } from "./track-list.js";

export function showDetails(panel, track, { onPlay } = {}) {
  // The focus goes back where it came from when the panel closes (it fell to the page's start).
  if (!panel.contains(document.activeElement)) panel.opener = document.activeElement;
  const close = h("button", { type: "button", class: "icon close", "aria-label": "Close details" }, icon("close"));
  close.addEventListener("click", () => hideDetails(panel));
  const cover = coverUrl(track, 300);
  const year = track.album?.release_year ?? track.release_year;
  panel.replaceChildren(...[ // (a null child would show as the text "null")
    close,
    cover ? h("img", { class: "cover big", src: cover, alt: `Cover of ${track.album?.name ?? track.name}`, width: 160, height: 160 }) : null,
    h("h2", { id: "details-title" }, track.name),
    h("p", { class: "artists" }, ...artistLinks(track)),
    onPlay ? h("button", { type: "button", class: "primary", id: "details-play", "aria-label": `Play ${track.name}`,
      onclick: () => onPlay(track) }, icon("play"), "Play") : null,
    h("dl", { class: "facts" },
      h("dt", {}, "Album"), h("dd", {}, albumLink(track) ?? "—", year ? ` (${year})` : ""),
      h("dt", {}, "Genres"), h("dd", {}, (track.genres ?? []).join(", ") || "—"),
      track.reason ? [h("dt", {}, "Why"), h("dd", {}, track.reason)] : null),
    h("h3", {}, "Sound"),
    ...soundFacts(track)].filter(Boolean));
  panel.hidden = false;
  panel.setAttribute("role", "dialog");
  close.focus();
  panel.onkeydown = (e) => {
    if (e.key === "Escape") hideDetails(panel);
  };
}

export function hideDetails(panel) {
  const hadFocus = panel.contains(document.activeElement);
  panel.hidden = true;
  // (not when the listener went to another page: the opener went with the old one)
  if (hadFocus && panel.opener?.isConnected) panel.opener.focus();
  panel.opener = null;
}
