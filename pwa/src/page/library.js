// The library around the feed, on the page: its routes (search, artists, albums, liked songs,
// history, playlists, the queue, your taste, the account) and the actions every view shares
// (play a list, play next, add to a queue or a playlist, like, correct the model). Views live in
// ui/, one file each; main.js only hands over what the page already has.
import { api, ApiError } from "./api.js";
import { h, toast } from "./dom.js";
import { Edits } from "./edits.js";
import { Listening } from "./listening.js";
import { accountView } from "./ui/account.js";
import { albumView, artistView } from "./ui/browse.js";
import { askMerge, chooseDialog } from "./ui/dialogs.js";
import { historyView, likedView } from "./ui/collections.js";
import { openNowPlaying } from "./ui/now-playing.js";
import { playlistView, playlistsView } from "./ui/playlists.js";
import { queueView } from "./ui/queue-view.js";
import { searchView } from "./ui/search.js";
import { tasteView } from "./ui/taste.js";

const ROUTES = [
  [/^\/search$/, (lib) => searchView(lib, new URLSearchParams(location.search).get("q") ?? ""), "Search"],
  [/^\/artist\/([^/]+)$/, (lib, id) => artistView(lib, id), "Artist"],
  [/^\/album\/([^/]+)$/, (lib, id) => albumView(lib, id), "Album"],
  [/^\/liked$/, (lib) => likedView(lib), "Liked songs"],
  [/^\/history$/, (lib) => historyView(lib), "History"],
  [/^\/playlists$/, (lib) => playlistsView(lib), "Your library"],
  [/^\/playlist\/([^/]+)$/, (lib, id) => playlistView(lib, id), "Playlist"],
  [/^\/queue$/, (lib) => queueView(lib), "Queue"],
  [/^\/taste$/, (lib) => tasteView(lib), "Your taste"],
  [/^\/account$/, (lib) => accountView(lib), "Account"],
];

export class Library extends EventTarget {
  /**
   * @param {{playback, feed, model, navigate: (path: string) => void, record: (interaction, track) => Promise<void>,
   *          me: () => object, canPlay: (track) => boolean, onAccountGone: () => void}} deps
   */
  constructor(deps) {
    super();
    Object.assign(this, deps);
    this.listening = new Listening({ feed: deps.feed, canPlay: deps.canPlay });
    this.liked = new Set();
    this.playlists = null; // summaries, once loaded
    this.seen = new Map(); // tracks shown by the views, for searching offline
    this.edits = new Edits({
      user: () => this.me()?.username ?? null,
      send: (method, path, body, headers) => fetch(path, {
        method, credentials: "same-origin",
        headers: { "X-Requested-With": "encore", ...(body ? { "Content-Type": "application/json" } : {}), ...headers },
        body: body ? JSON.stringify(body) : undefined,
      }),
      ask: (conflict) => askMerge(conflict),
    });
    this.edits.addEventListener("refused", ({ detail }) => toast(`Not saved: ${detail.message}`));
    this.edits.addEventListener("sent", ({ detail }) => this.#sent(detail));
    this.edits.addEventListener("resolved", ({ detail }) => this.dispatchEvent(new CustomEvent("playlist-changed", { detail: { id: detail.edit.playlistId } })));
    this.edits.addEventListener("change", async () => {
      document.body.dataset.editsPending = String((await this.edits.pending()).length);
    });
    deps.playback.addEventListener("track", ({ detail: track }) => {
      this.listening.started(track);
      this.#showHeart(track);
    });
  }

  /** The player's heart: pressed when the song playing is liked. */
  #showHeart(track) {
    if (track) document.getElementById("like")?.setAttribute("aria-pressed", String(this.liked.has(track.id)));
  }

  /** The view for `path`, or null when it is not one of ours. */
  async view(path) {
    for (const [pattern, make, title] of ROUTES) {
      const match = pattern.exec(path);
      if (match) {
        const el = await make(this, decodeURIComponent(match[1] ?? ""));
        return { el, title: el.dataset.title || title };
      }
    }
    return null;
  }

  /** Asked once the first view is on screen (main.js): a song played before the liked songs
   *  came gets its heart when they do. */
  async signedIn() {
    this.edits.flushSoon(0);
    try {
      let cursor = null;
      for (let page = 0; page < 10; page++) {
        const answer = await api(`/api/me/liked?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
        for (const t of answer.tracks) this.liked.add(t.id);
        cursor = answer.next_cursor;
        if (!cursor) break;
      }
    } catch {
      /* offline: the heart shows what this device did since */
    }
    this.#showHeart(this.playback.current?.track);
  }

  // -- playing ---------------------------------------------------------------------------
  isCurrent(trackId) {
    return this.playback.current?.track?.id === trackId;
  }

  /** Start `tracks` at `start`; what follows in the list plays next (a context). */
  play(tracks, start, context) {
    const playable = tracks.filter((t) => !t.unavailable);
    const from = Math.max(0, playable.indexOf(tracks[start]));
    const first = this.listening.setContext({ ...context, tracks: playable }, from);
    if (first) this.playback.play(first);
  }

  playNext(tracks) {
    this.listening.playNext(tracks);
    toast(tracks.length === 1 ? `“${tracks[0].name}” plays next.` : `${tracks.length} tracks play next.`);
  }

  addToQueue(tracks) {
    this.listening.addToQueue(tracks);
    toast(tracks.length === 1 ? `Added “${tracks[0].name}” to the queue.` : `Added ${tracks.length} tracks to the queue.`);
  }

  openNowPlaying() {
    openNowPlaying(this);
  }

  // -- liked -----------------------------------------------------------------------------
  isLiked(trackId) {
    return this.liked.has(trackId);
  }

  async like(track) {
    this.liked.add(track.id);
    const duration = Math.max(1, Math.round(track.duration_ms || 1));
    await this.record({ id: crypto.randomUUID(), track_id: track.id, type: "liked", position_ms: 0, duration_ms: duration, at: Date.now() }, track);
    toast(`Added “${track.name}” to Liked songs.`);
    this.dispatchEvent(new Event("liked-changed"));
  }

  /** The heart: like, or take it back. */
  async toggleLike(track) {
    if (this.liked.has(track.id)) return this.unlike(track);
    if (this.playback.current?.track?.id === track.id) {
      this.liked.add(track.id);
      this.playback.like(); // at the position it is playing
      this.dispatchEvent(new Event("liked-changed"));
      return undefined;
    }
    return this.like(track);
  }

  async unlike(track) {
    this.liked.delete(track.id);
    await this.edits.add({ kind: "unlike", method: "DELETE", path: `/api/me/liked/${encodeURIComponent(track.id)}` });
    toast(`Removed “${track.name}” from Liked songs.`);
    this.dispatchEvent(new Event("liked-changed"));
  }

  // -- playlists -------------------------------------------------------------------------
  async loadPlaylists() {
    try {
      this.playlists = (await api("/api/playlists")).playlists;
    } catch (error) {
      if (!this.playlists) throw error;
    }
    return this.playlists;
  }

  /** Ask which playlist (or a new one), then add `tracks` to it. */
  async chooseAndAdd(tracks) {
    let playlists = [];
    try {
      playlists = await this.loadPlaylists();
    } catch {
      playlists = this.playlists ?? [];
    }
    const choice = await chooseDialog({
      title: "Add to playlist",
      options: playlists.map((p) => ({ value: p.id, label: p.name })),
      create: "New playlist",
    });
    if (!choice) return;
    if (choice.create) {
      try {
        const made = await api("/api/playlists", { method: "POST", body: { name: choice.create, track_ids: tracks.map((t) => t.id) } });
        this.playlists = null;
        toast(`Made “${made.name}” with ${tracks.length === 1 ? `“${tracks[0].name}”` : `${tracks.length} tracks`}.`);
      } catch (error) {
        toast(error.code === "offline" ? "A new playlist needs the network; add to an existing one offline." : error.message);
      }
      return;
    }
    // The edit's id goes with it: sent again (its answer lost, the page closed before it came),
    // the server adds nothing the second time.
    await this.edits.add({ kind: "playlist-add", method: "POST", path: `/api/playlists/${choice.value}/tracks`, playlistId: choice.value, body: { track_ids: tracks.map((t) => t.id), edit_id: crypto.randomUUID() } });
    const name = playlists.find((p) => p.id === choice.value)?.name ?? "the playlist";
    toast(`Added ${tracks.length === 1 ? `“${tracks[0].name}”` : `${tracks.length} tracks`} to “${name}”.`);
  }

  /** Save a playlist's new track list, edited from `base` at `version` (offline too). */
  async saveTracks(playlist, base, trackIds) {
    await this.edits.add({
      kind: "playlist-tracks", method: "PUT", path: `/api/playlists/${playlist.id}/tracks`, playlistId: playlist.id,
      ifMatch: playlist.version, body: { track_ids: trackIds }, merge: { base, mine: trackIds },
    });
  }

  #sent(edit) {
    if (edit.playlistId) {
      this.playlists = null;
      this.dispatchEvent(new CustomEvent("playlist-changed", { detail: { id: edit.playlistId } }));
    }
  }

  // -- taste -----------------------------------------------------------------------------
  /** A correction (forget, block, unblock, reset): on this device at once, then the server. */
  async correct(kind, target = "") {
    const correction = { id: crypto.randomUUID(), kind, target, at: Date.now() };
    const body = { id: correction.id, at: correction.at };
    const request = {
      forget_track: ["POST", "/api/me/taste/forget", { ...body, track_id: target }],
      forget_artist: ["POST", "/api/me/taste/forget", { ...body, artist_id: target }],
      block: ["POST", "/api/me/taste/block", { ...body, artist_id: target }],
      unblock: ["DELETE", `/api/me/taste/block/${encodeURIComponent(target)}?id=${correction.id}&at=${correction.at}`, null],
      reset: ["POST", "/api/me/taste/reset", body],
    }[kind];
    await this.edits.add({ kind: "correction", method: request[0], path: request[1], body: request[2] });
    try {
      if (this.model.ready) {
        await this.model.correct(correction);
        await this.rerank(); // the feed on screen honours it at once, online or not
      }
    } catch (error) {
      console.warn("on-device correction failed", error);
    }
    // Online, the server has it before the view asks what Encore learned (offline: the outbox).
    if (navigator.onLine) await this.edits.drain().catch(() => false);
    this.dispatchEvent(new CustomEvent("corrected", { detail: correction }));
  }

  // -- helpers for views -----------------------------------------------------------------
  remember(track) {
    if (track?.id && !track.unavailable) this.seen.set(track.id, track);
  }

  /** Every track this page knows of (the saved feed, lists opened): what offline search sees. */
  knownTracks() {
    const all = new Map(this.seen);
    for (const t of this.feed.byId.values()) all.set(t.id, t);
    return [...all.values()];
  }

  api(path, options) {
    return api(path, options);
  }

  /** A page (or, `what` null, a part of one under its own heading) that could not load. */
  errorView(error, what) {
    const offline = error instanceof ApiError && error.code === "offline";
    // Marked so that the page loads it again once the server answers (main.js).
    return h("section", { class: "card", "data-offline-error": offline }, what ? h("h1", {}, what) : null,
      h("p", {}, offline ? "You're offline, and this isn't saved on this device yet." : error.message));
  }
}
