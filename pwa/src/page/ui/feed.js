// The feed: cards with cover, title, artists, the reason, play and details; "refresh feed".
// Cards are kept per track and only moved when their place changes, so a card under the
// listener's pointer is never swapped for a copy in the middle of a click.
import { coverUrl, h } from "../dom.js";
import { icon } from "../icons.js";
import { artistLinks, menuButton, trackMenuItems } from "./track-list.js";

export function feedView({ lib, queue, onPlay, onDetails, onRefresh, offlineIds, modelStatus }) {
  const list = h("ol", { class: "feed-list", id: "feed-list", "aria-label": "Up next" });
  const refresh = h("button", { type: "button", class: "ghost", id: "refresh-feed" }, icon("refresh"), "Refresh feed");
  const status = h("p", { class: "model-status", id: "model-status", "aria-live": "polite" });
  refresh.addEventListener("click", async () => {
    refresh.disabled = true;
    try {
      await onRefresh();
    } finally {
      refresh.disabled = false;
    }
  });

  function card(track, now) {
    const cover = coverUrl(track);
    return h("li", { class: `track-card${now ? " now" : ""}`, dataset: { trackId: track.id } },
      cover ? h("img", { class: "cover", src: cover, alt: "", width: 72, height: 72, loading: "lazy" }) : h("div", { class: "cover blank" }),
      h("div", { class: "info" },
        h("h3", { class: "title" }, track.name, track.explicit ? h("span", { class: "tag", title: "Explicit" }, "E") : null),
        h("p", { class: "artists" }, ...artistLinks(track)),
        track.reason ? h("p", { class: "reason" }, track.reason) : null,
        h("p", { class: "badges" },
          now ? h("span", { class: "badge now-badge" }, "Now playing") : null,
          offlineIds().has(track.id) ? h("span", { class: "badge offline-badge" }, "Available offline") : null)),
      h("div", { class: "card-actions" },
        h("button", { type: "button", class: "icon play", "aria-label": `Play ${track.name}`, onclick: () => onPlay(track) }, icon("play")),
        h("button", { type: "button", class: "icon", "aria-label": `Details for ${track.name}`, onclick: () => onDetails(track) }, icon("info")),
        lib ? menuButton(`More for ${track.name}`, () => trackMenuItems(track, lib)) : null));
  }

  const cards = new Map(); // track id -> {key, el}

  function cardFor(track, now) {
    const key = [now, track.reason, track.name, offlineIds().has(track.id)].join("|");
    const kept = cards.get(track.id);
    if (kept?.key === key) return kept.el;
    const el = card(track, now);
    cards.set(track.id, { key, el });
    return el;
  }

  function render() {
    const current = queue.current;
    const wanted = [current && !queue.done.has(current.id) ? cardFor(current, true) : null,
      ...queue.tracks.map((t) => cardFor(t, false))].filter(Boolean);
    wanted.forEach((el, i) => {
      if (list.children[i] !== el) list.insertBefore(el, list.children[i] ?? null);
    });
    while (list.children.length > wanted.length) list.lastElementChild.remove();
    for (const [id, { el }] of cards) if (!el.isConnected) cards.delete(id);
    list.dataset.generation = String(queue.generation);
    list.dataset.source = queue.source;
    status.textContent = modelStatus();
  }

  /** How many up-next cards are on screen or above it (the player bar hides the bottom). */
  function cardsInView() {
    const bottom = innerHeight - (document.getElementById("player")?.offsetHeight ?? 0);
    const cards = [...list.querySelectorAll(".track-card:not(.now)")];
    let seen = 0;
    cards.forEach((card, i) => {
      if (card.getBoundingClientRect().top < bottom) seen = i + 1;
    });
    return seen;
  }

  queue.addEventListener("change", render);
  render();
  const view = h("section", { class: "feed", "aria-labelledby": "feed-title" },
    h("div", { class: "feed-head" },
      h("div", {}, h("h1", { id: "feed-title" }, "Your feed"), status),
      refresh),
    list);
  view.render = render;
  view.cardsInView = cardsInView;
  view.dispose = () => queue.removeEventListener("change", render);
  return view;
}
