// The feed: cards with cover, title, artists, the reason, play and details; "refresh feed".
// Cards are kept per track, patched in place and only moved when their place changes, so a card
// under the listener's pointer (or with its menu open) is never swapped for a copy mid-click.
import { coverUrl, h } from "../dom.js";
import { icon } from "../icons.js";
import { artistLinks, menuButton, trackMenuItems } from "./track-list.js";

// Where the songs come from, for the words when all of them were heard.
const FROM = { local: " from your music folder", subsonic: " from your Subsonic server", spotify: " from Spotify", demo: " from Encore's demo catalog" };

export function feedView({ lib, queue, onPlay, onDetails, onRefresh, onStartOver = null, feedState = () => ({ loaded: true, source: null }), offlineIds, modelStatus }) {
  const list = h("ol", { class: "feed-list", id: "feed-list", "aria-label": "Up next" });
  // An empty list never shows as a blank page: it says what happened and offers a way on.
  const empty = h("section", { class: "card soft empty-state", id: "feed-empty", "aria-labelledby": "feed-empty-title", hidden: true });
  let emptyKind = null;
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

  // A card is made once per track and then patched (now playing, reason, saved offline): a
  // card the listener has a menu open in, or focus on, is never swapped for a copy (the menu
  // vanished under their pointer when the on-device ranking arrived) nor moved in the DOM.
  function card(track) {
    const cover = coverUrl(track);
    const reason = h("p", { class: "reason" });
    const nowBadge = h("span", { class: "badge now-badge" }, "Now playing");
    const offlineBadge = h("span", { class: "badge offline-badge" }, "Available offline");
    const badges = h("p", { class: "badges" });
    const el = h("li", { class: "track-card", dataset: { trackId: track.id } },
      cover ? h("img", { class: "cover", src: cover, alt: "", width: 72, height: 72, loading: "lazy" }) : h("div", { class: "cover blank no-art" }, icon("note")), // a song of their own without art
      h("div", { class: "info" },
        h("h3", { class: "title" }, track.name, track.explicit ? h("span", { class: "tag", title: "Explicit" }, "E") : null),
        h("p", { class: "artists" }, ...artistLinks(track)),
        reason, badges),
      h("div", { class: "card-actions" },
        h("button", { type: "button", class: "icon play", "aria-label": `Play ${track.name}`, onclick: () => onPlay(el.track) }, icon("play")),
        h("button", { type: "button", class: "icon", "aria-label": `Details for ${track.name}`, onclick: () => onDetails(el.track) }, icon("info")),
        lib ? menuButton(`More for ${track.name}`, () => trackMenuItems(el.track, lib)) : null));
    el.update = (latest, now) => {
      el.track = latest;
      el.classList.toggle("now", now);
      nowBadge.style.visibility = "";
      reason.textContent = latest.reason ?? "";
      if (latest.reason) el.querySelector(".info").insertBefore(reason, badges);
      else reason.remove();
      badges.replaceChildren(...[now ? nowBadge : null, offlineIds().has(latest.id) ? offlineBadge : null].filter(Boolean));
    };
    // Said while the list may not move (a pointer aiming): the outline takes no room and the
    // old badge hides in its place, so no card changes height; the badge follows with the order.
    el.markPlaying = (now) => {
      el.classList.toggle("now", now);
      if (!now) nowBadge.style.visibility = "hidden";
    };
    return el;
  }

  const cards = new Map(); // track id -> {key, el}

  function cardFor(track, now) {
    // What a card is built from; the rest (now, reason, offline) is patched in place.
    const key = [track.name, track.explicit, coverUrl(track), (track.artists ?? []).map((a) => `${a.id}:${a.name}`).join()].join("|");
    let kept = cards.get(track.id);
    if (kept?.key !== key && !(kept && held(kept.el))) {
      kept = { key, el: card(track) };
      cards.set(track.id, kept);
    }
    kept.el.update(track, now);
    return kept.el;
  }

  /** The card the listener is in: focus inside it, or its menu open. */
  function held(el) {
    return el.parentNode === list && (el.contains(document.activeElement) || Boolean(el.querySelector(".menu-popover")));
  }

  /** Put `wanted` in `list` in that order without moving a held card: the others move around
   *  it (moving a node takes the focus off whatever was focused inside it). */
  function place(wanted) {
    const keep = new Set(wanted);
    for (const child of [...list.children]) if (!keep.has(child)) child.remove();
    const pin = Math.max(0, wanted.findIndex(held));
    if (!wanted.length) return;
    if (wanted[pin].parentNode !== list) list.append(wanted[pin]);
    for (let i = pin - 1; i >= 0; i--) {
      if (wanted[i].nextElementSibling !== wanted[i + 1]) list.insertBefore(wanted[i], wanted[i + 1]);
    }
    for (let i = pin + 1; i < wanted.length; i++) {
      if (wanted[i - 1].nextElementSibling !== wanted[i]) list.insertBefore(wanted[i], wanted[i - 1].nextElementSibling);
    }
  }

  function renderEmpty(nothing) {
    const { loaded, source } = feedState();
    const kind = !nothing ? null : !loaded ? "loading" : queue.done.size ? "heard" : "none";
    empty.hidden = kind === null;
    if (kind === emptyKind) return;
    emptyKind = kind;
    if (kind === "loading") {
      empty.replaceChildren(h("p", { id: "feed-empty-title", role: "status" }, "Loading your feed…"));
    } else if (kind === "heard") {
      const again = h("button", { type: "button", class: "primary", id: "start-over" }, icon("play"), "Play it all again");
      again.addEventListener("click", async () => {
        again.disabled = true;
        try {
          await onStartOver?.();
        } finally {
          again.disabled = false;
        }
      });
      empty.replaceChildren(...[ // (a null child would show as the text "null")
        h("h2", { id: "feed-empty-title" }, "You've heard everything in your feed"),
        h("p", {}, `You've played every song Encore has for you right now${FROM[source] ?? ""}. Play it all again from the top, or find something in search.`),
        h("div", { class: "row" }, again, h("a", { href: "/search", "data-link": true, class: "button ghost" }, "Search")),
        source === "local" ? h("p", { class: "hint" }, "Songs added to your music folder show up here once Encore has scanned them.") : null,
      ].filter(Boolean));
    } else if (kind === "none") {
      empty.replaceChildren(
        h("h2", { id: "feed-empty-title" }, "Nothing to play yet"),
        h("p", {}, "Your feed has no songs right now. Try Refresh feed in a moment, or look for something in search."),
        h("div", { class: "row" }, h("a", { href: "/search", "data-link": true, class: "button ghost" }, "Search")));
    }
  }

  // A person aiming the mouse at a card must not see it slide away as the list re-orders (a
  // song ended, the device re-ranked): while the pointer moves over the list, a new order
  // waits until it rests, leaves or clicks. Touch has no aiming, so only the mouse counts.
  const AIM_MS = 600;
  let aimedAt = -Infinity; // never (0 would be the page's start: its first 600 ms waited)
  let waiting = 0;
  // Only a pointer that moved: the browser also sends a move when the cards shift under a
  // resting mouse (a render, a page loading), and counting those put off every render.
  list.addEventListener("pointermove", (e) => {
    if (e.pointerType === "mouse" && (e.movementX || e.movementY)) aimedAt = performance.now();
  });
  list.addEventListener("pointerdown", () => {
    aimedAt = -Infinity;
  });
  list.addEventListener("pointerleave", () => {
    aimedAt = -Infinity;
    if (waiting) render();
  });

  // A list that starts empty (a first visit, a reload) shows its first screenful first: the
  // cards below it are built once that is painted and the page is idle (building and laying
  // out all 30 took a first visit's main thread ~60 ms of CPU, 100-300 ms of a loaded core,
  // before any showed). Until then a render builds no card past the screenful, so the rest
  // only add to the list below the screen: nothing the listener sees moves.
  let screenful = Infinity;
  let rest = 0; // the idle callback that builds the rest

  /** How many cards fill the screen from the list's top, measured on the first card (a layout
   *  the frame would do anyway): every card is as tall as its three buttons, so a row of the
   *  grid is as tall as the first. */
  function cardsOnScreen(first) {
    list.append(first);
    const box = first.getBoundingClientRect();
    if (!box.width || !box.height) return Infinity;
    const columns = Math.max(1, Math.floor(list.clientWidth / box.width));
    return columns * Math.max(1, Math.ceil((innerHeight - box.top) / box.height));
  }

  function buildTheRest() {
    if (!rest) return; // disposed meanwhile
    rest = 0;
    screenful = Infinity;
    render();
  }

  function render() {
    clearTimeout(waiting);
    waiting = 0;
    const wait = aimedAt + AIM_MS - performance.now();
    // (a finished song's card stays through its last 2 s, which still play: it was judged
    // then, and goes when the player leaves it)
    const playing = queue.current;
    if (wait > 0) {
      // Only the order waits: which card is playing is said at once (the song that was skipped
      // kept its "Now playing" badge until the pointer left).
      for (const [id, { el }] of cards) el.markPlaying(id === playing?.id);
      waiting = setTimeout(render, wait);
      return;
    }
    const upcoming = [...(playing ? [[playing, true]] : []), ...queue.tracks.map((t) => [t, false])];
    if (!list.firstElementChild && list.isConnected && upcoming.length > 1) {
      screenful = cardsOnScreen(cardFor(...upcoming[0]));
      rest = globalThis.requestIdleCallback ? requestIdleCallback(buildTheRest, { timeout: 250 })
        : requestAnimationFrame(() => setTimeout(buildTheRest)); // no idle callbacks (Safari): after the frame
    }
    const wanted = upcoming.filter(([track], i) => i < screenful || cards.has(track.id))
      .map(([track, now]) => cardFor(track, now));
    place(wanted);
    renderEmpty(!wanted.length);
    // (in the list, not the document: the first render runs before the view is on the page,
    // and forgetting every card then made the next render replace them all, an open menu too)
    for (const [id, { el }] of cards) if (el.parentNode !== list) cards.delete(id);
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
    list, empty);
  view.render = render;
  view.cardsInView = cardsInView;
  view.dispose = () => {
    clearTimeout(waiting);
    rest = 0;
    queue.removeEventListener("change", render);
  };
  return view;
}
