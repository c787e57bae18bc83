// The feed: cards with cover, title, artists, the reason, play and details; "refresh feed".
import { artistNames, clear, coverUrl, h } from "../dom.js";
import { icon } from "../icons.js";

export function feedView({ queue, onPlay, onDetails, onRefresh, offlineIds, modelStatus }) {
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
        h("p", { class: "artists" }, artistNames(track)),
        track.reason ? h("p", { class: "reason" }, track.reason) : null,
        h("p", { class: "badges" },
          now ? h("span", { class: "badge now-badge" }, "Now playing") : null,
          offlineIds().has(track.id) ? h("span", { class: "badge offline-badge" }, "Available offline") : null)),
      h("div", { class: "card-actions" },
        h("button", { type: "button", class: "icon play", "aria-label": `Play ${track.name}`, onclick: () => onPlay(track) }, icon("play")),
        h("button", { type: "button", class: "icon", "aria-label": `Details for ${track.name}`, onclick: () => onDetails(track) }, icon("info"))));
  }

  function render() {
    const current = queue.current;
    const items = [current && !queue.done.has(current.id) ? card(current, true) : null, ...queue.tracks.map((t) => card(t, false))];
    clear(list).append(...items.filter(Boolean));
    list.dataset.generation = String(queue.generation);
    list.dataset.source = queue.source;
    status.textContent = modelStatus();
  }

  queue.addEventListener("change", render);
  render();
  const view = h("section", { class: "feed", "aria-labelledby": "feed-title" },
    h("div", { class: "feed-head" },
      h("div", {}, h("h1", { id: "feed-title" }, "Your feed"), status),
      refresh),
    list);
  view.render = render;
  view.dispose = () => queue.removeEventListener("change", render);
  return view;
}
