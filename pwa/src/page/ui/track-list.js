// A list of tracks as every view around the feed shows them: play, the names as links (artist,
// album), the duration, and a menu (play next, add to queue, add to playlist, go to artist or
// album, like). The menu is a real menu: arrow keys move, Escape closes, focus comes back.
import { clear, coverUrl, formatTime, h } from "../dom.js";
import { icon } from "../icons.js";

// "1 song", "2 songs": a count in words.
export const counted = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function artistLinks(track) {
  const artists = track.artists ?? [];
  const parts = [];
  artists.forEach((a, i) => {
    if (i) parts.push(", ");
    parts.push(a.id ? h("a", { href: `/artist/${encodeURIComponent(a.id)}`, "data-link": true, class: "name-link" }, a.name) : a.name);
  });
  return parts;
}

export function albumLink(track) {
  const album = track.album ?? {};
  if (!album.name) return null;
  return album.id ? h("a", { href: `/album/${encodeURIComponent(album.id)}`, "data-link": true, class: "name-link" }, album.name) : album.name;
}

/** A menu button that opens `items()` ([{label, run}]) as an accessible menu. */
export function menuButton(label, items) {
  const button = h("button", { type: "button", class: "icon menu-button", "aria-label": label, "aria-haspopup": "menu", "aria-expanded": "false" }, "⋯");
  button.addEventListener("click", (event) => {
    event.stopPropagation();
    openMenu(button, items());
  });
  return button;
}

function openMenu(button, items) {
  document.querySelector(".menu-popover")?.remove();
  const menu = h("div", { class: "menu-popover", role: "menu", "aria-label": button.getAttribute("aria-label") });
  const close = (focusButton = true) => {
    menu.remove();
    button.setAttribute("aria-expanded", "false");
    document.removeEventListener("click", outside, true);
    if (focusButton) button.focus();
  };
  const outside = (event) => {
    if (!menu.contains(event.target) && event.target !== button) close(false);
  };
  for (const item of items) {
    menu.append(h("button", {
      type: "button", role: "menuitem", tabindex: "-1", class: "menu-item",
      onclick: async () => {
        close(!item.navigates);
        await item.run();
      },
    }, item.label));
  }
  menu.addEventListener("keydown", (event) => {
    const entries = [...menu.querySelectorAll("[role=menuitem]")];
    const at = entries.indexOf(document.activeElement);
    if (event.key === "ArrowDown") entries[(at + 1) % entries.length].focus();
    else if (event.key === "ArrowUp") entries[(at - 1 + entries.length) % entries.length].focus();
    else if (event.key === "Home") entries[0].focus();
    else if (event.key === "End") entries.at(-1).focus();
    else if (event.key === "Escape" || event.key === "Tab") close();
    else return;
    event.preventDefault();
  });
  button.after(menu);
  button.setAttribute("aria-expanded", "true");
  setTimeout(() => document.addEventListener("click", outside, true));
  menu.querySelector("[role=menuitem]")?.focus();
}

/** The menu entries every track has (`extra` first: e.g. "Remove from this playlist"). */
export function trackMenuItems(track, lib, extra = []) {
  const items = [
    ...extra,
    { label: "Play next", run: () => lib.playNext([track]) },
    { label: "Add to queue", run: () => lib.addToQueue([track]) },
    { label: "Add to playlist…", run: () => lib.chooseAndAdd([track]) },
  ];
  const artist = track.artists?.find((a) => a.id);
  if (artist) items.push({ label: `Go to ${artist.name}`, navigates: true, run: () => lib.navigate(`/artist/${encodeURIComponent(artist.id)}`) });
  if (track.album?.id) items.push({ label: "Go to album", navigates: true, run: () => lib.navigate(`/album/${encodeURIComponent(track.album.id)}`) });
  items.push(lib.isLiked(track.id)
    ? { label: "Remove from Liked songs", run: () => lib.unlike(track) }
    : { label: "Like", run: () => lib.like(track) });
  return items;
}

/**
 * An <ol> of track rows. `play(index)` starts the list at a track; `extraItems(track, index)`
 * adds menu entries; `decorate(row, track, index)` may add controls (reorder buttons…).
 */
export function trackList(tracks, { lib, play, label, extraItems = () => [], decorate = null, showAlbum = true, numbered = false }) {
  const list = h("ol", { class: `track-list${numbered ? " numbered" : ""}`, "aria-label": label });
  function render(items) {
    clear(list).append(...items.map((track, index) => row(track, index)));
  }
  function row(track, index) {
    const cover = coverUrl(track, 64);
    const unavailable = Boolean(track.unavailable);
    const li = h("li", { class: `track-row${lib.isCurrent(track.id) ? " now" : ""}`, dataset: { trackId: track.id } },
      numbered ? h("span", { class: "number", "aria-hidden": "true" }, String(index + 1)) : null,
      cover ? h("img", { class: "cover", src: cover, alt: "", width: 44, height: 44, loading: "lazy" }) : h("div", { class: "cover blank small-cover no-art" }, icon("note")),
      h("div", { class: "info" },
        h("p", { class: "title" }, track.name, track.explicit ? h("span", { class: "tag", title: "Explicit" }, "E") : null),
        h("p", { class: "artists" }, ...artistLinks(track), showAlbum && track.album?.name ? [" · ", albumLink(track)] : null)),
      h("span", { class: "time" }, track.duration_ms ? formatTime(track.duration_ms) : ""),
      h("div", { class: "row-actions" },
        h("button", { type: "button", class: "icon play", "aria-label": `Play ${track.name}`, disabled: unavailable, onclick: () => play(index) }, icon("play")),
        unavailable ? null : menuButton(`More for ${track.name}`, () => trackMenuItems(track, lib, extraItems(track, index)))));
    decorate?.(li, track, index);
    return li;
  }
  render(tracks);
  list.render = render;
  return list;
}
