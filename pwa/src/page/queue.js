// The listening queue: the feed's pool of candidates, what is up next (best first), and what was
// already played this session (never offered again until the next feed).

export const QUEUE_LENGTH = 30;

export class Queue extends EventTarget {
  constructor() {
    super();
    this.byId = new Map();
    this.order = []; // upcoming track ids, best first
    this.done = new Set(); // finished / skipped / disliked ids
    this.currentId = null;
    this.generation = 0; // bumps on every re-order, so the UI (and tests) can tell
    this.source = "server";
  }

  setFeed(feed) {
    const current = this.current; // still playing: keep its card
    this.byId.clear();
    if (current) this.byId.set(current.id, current);
    for (const t of [...(feed.pool ?? []), ...(feed.tracks ?? [])]) this.byId.set(t.id, t);
    for (const t of feed.tracks ?? []) this.byId.set(t.id, t); // keep the server's reason
    this.order = (feed.tracks ?? []).map((t) => t.id).filter((id) => !this.done.has(id));
    this.source = "server";
    this.#changed();
  }

  get tracks() {
    return this.order.map((id) => this.byId.get(id)).filter(Boolean);
  }

  get current() {
    return this.currentId ? this.byId.get(this.currentId) : null;
  }

  /** The ids in the listener's list right now (what a refresh must not bring back). */
  onScreen() {
    return [...(this.currentId ? [this.currentId] : []), ...this.order].slice(0, 100);
  }

  /** Everything in the pool still worth ranking. */
  candidates() {
    return [...this.byId.values()].filter((t) => !this.done.has(t.id) && t.id !== this.currentId);
  }

  /** Take the on-device ranking: [{id, score, reason}] best first. */
  applyRanking(ranked) {
    for (const r of ranked) {
      const track = this.byId.get(r.id);
      if (track) this.byId.set(r.id, { ...track, score: r.score, reason: r.reason ?? track.reason });
    }
    this.order = ranked.map((r) => r.id).filter((id) => !this.done.has(id) && id !== this.currentId);
    this.source = "device";
    this.#changed();
  }

  setCurrent(track) {
    this.byId.set(track.id, this.byId.get(track.id) ?? track);
    this.currentId = track.id;
    this.order = this.order.filter((id) => id !== track.id);
    this.#changed();
  }

  markDone(trackId) {
    this.done.add(trackId);
    this.order = this.order.filter((id) => id !== trackId);
    this.#changed();
  }

  peekNext() {
    return this.tracks.find((t) => t.id !== this.currentId && !this.done.has(t.id)) ?? null;
  }

  #changed() {
    this.generation += 1;
    this.dispatchEvent(new Event("change"));
  }
}
