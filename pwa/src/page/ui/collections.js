// Liked songs and listening history: paged lists ("Show more"), newest first.
import { formatTime, h } from "../dom.js";
import { icon } from "../icons.js";
import { trackList } from "./track-list.js";

const PAGE = 50;

function when(at) {
  const date = new Date(at);
  const today = new Date();
  const sameDay = date.toDateString() === today.toDateString();
  return sameDay ? date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : date.toLocaleDateString([], { day: "numeric", month: "short" });
}

/** A paged list: `load(cursor)` -> {items, next_cursor}; `render(items)` -> element. */
async function paged(lib, { title, id, empty, load, render, intro = null }) {
  const body = h("div", {});
  const more = h("button", { type: "button", class: "ghost", id: `${id}-more` }, "Show more");
  const items = [];
  let cursor = null;
  async function next() {
    more.disabled = true;
    try {
      const page = await load(cursor);
      items.push(...page.items);
      cursor = page.next_cursor;
      body.replaceChildren(items.length ? render(items) : h("p", { class: "hint" }, empty));
    } catch (error) {
      body.replaceChildren(lib.errorView(error, title));
    } finally {
      more.disabled = false;
      more.hidden = !cursor;
    }
  }
  more.addEventListener("click", next);
  await next();
  return h("section", { "aria-labelledby": `${id}-title` },
    h("h1", { id: `${id}-title` }, title), intro, body, more);
}

export async function likedView(lib) {
  let tracks = [];
  const context = { kind: "liked", name: "Liked songs" };
  const view = await paged(lib, {
    title: "Liked songs", id: "liked", empty: "Songs you like (♥) show up here.",
    intro: h("div", { class: "row" },
      h("button", { type: "button", class: "primary", onclick: () => lib.play(tracks, 0, context) }, icon("play"), "Play all")),
    load: async (cursor) => {
      const answer = await lib.api(`/api/me/liked?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      for (const t of answer.tracks) {
        lib.remember(t);
        lib.liked.add(t.id);
      }
      return { items: answer.tracks, next_cursor: answer.next_cursor };
    },
    render: (items) => {
      tracks = items.filter((t) => lib.isLiked(t.id));
      return trackList(tracks, { lib, label: "Liked songs", play: (i) => lib.play(tracks, i, context) });
    },
  });
  const refresh = () => view.querySelector(".track-list")?.render?.(tracks = tracks.filter((t) => lib.isLiked(t.id)));
  lib.addEventListener("liked-changed", refresh);
  view.dispose = () => lib.removeEventListener("liked-changed", refresh);
  return view;
}

const HOW = {
  finished: () => "Played to the end",
  liked: () => "Liked",
  disliked: (p) => `Disliked at ${formatTime(p.position_ms)}`,
  skipped: (p) => `Skipped at ${formatTime(p.position_ms)}`,
};

export async function historyView(lib) {
  return paged(lib, {
    title: "History", id: "history", empty: "What you play shows up here.",
    load: async (cursor) => {
      const answer = await lib.api(`/api/me/history?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      answer.plays.forEach((p) => lib.remember(p.track));
      return { items: answer.plays, next_cursor: answer.next_cursor };
    },
    render: (plays) => {
      const tracks = plays.map((p) => p.track);
      const list = trackList(tracks, { lib, label: "Recently played", play: (i) => lib.play(tracks, i, { kind: "history", name: "History" }) });
      [...list.children].forEach((row, i) => {
        const play = plays[i];
        row.querySelector(".info").append(h("p", { class: `how how-${play.type}` }, `${HOW[play.type]?.(play) ?? play.type} · ${when(play.at)}`));
      });
      return list;
    },
  });
}
