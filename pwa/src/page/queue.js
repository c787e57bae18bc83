// The listening queue: the feed's pool of candidates, what is up next (best first), and what was
// already played this session (never offered again until the next feed).
//
// Two rules shape the order beyond the ranking:
//  - playable first: tracks that can play here come before those that can't, in their ranked
//    order (when the server can't be reached, those whose audio is saved on this device; where
//    Spotify's player failed, all but Spotify's songs without a preview); tracks that failed to
//    load go last;
//  - still under the listener's eyes: a new ranking keeps the first `keep` tracks (the cards on
//    screen) where they are and reorders what is below them.

export const QUEUE_LENGTH = 30;

export class Queue extends EventTarget {
  constructor() {
    super();
    this.byId = new Map();
    this.order = []; // upcoming track ids, best first
    this.done = new Set(); // finished / skipped / disliked ids
    this.unplayable = new Set(); // failed to load: tried again only when asked for or back online
    this.passed = new Set(); // refreshed past: kept out of the list until a feed that is no refresh
    this.currentId = null;
    this.generation = 0; // bumps on every re-order, so the UI (and tests) can tell
    this.source = "server";
    this.canPlayNow = () => true; // set by the page (connectivity, the offline audio cache, Spotify's player)
  }

  /** A new feed. `passed`: the songs a refresh asked to move past. The server leaves them out of
   *  its answer, but offline the refresh gets the saved feed back, whose top they are: they stay
   *  out of the list (and of the device's re-ranks) and the pool's next best take their place,
   *  unless too few songs would be left. */
  setFeed(feed, { passed = [] } = {}) {
    const current = this.current; // still playing: keep its card
    this.byId.clear();
    if (current) this.byId.set(current.id, current);
    for (const t of [...(feed.pool ?? []), ...(feed.tracks ?? [])]) this.byId.set(t.id, t);
    for (const t of feed.tracks ?? []) this.byId.set(t.id, t); // keep the server's reason
    const ids = (tracks) => (tracks ?? []).map((t) => t.id);
    const passedIds = new Set(passed);
    const left = [...new Set([...ids(feed.tracks), ...ids(feed.pool)])].filter((id) => !passedIds.has(id));
    this.passed = left.length >= QUEUE_LENGTH ? passedIds : new Set();
    const listed = this.passed.size ? left.slice(0, QUEUE_LENGTH) : ids(feed.tracks);
    // The song in the player (e.g. resumed after a reload) is not also the next card.
    this.order = this.#arranged(listed.filter((id) => id !== this.currentId));
    this.source = "server";
    this.#changed();
  }

  /** `feed` as the list shows it, for an offline visit: the playing song and the list's order on
   *  top, and what a refresh moved past or this visit played left out (the saved feed is what a
   *  reload gets offline: it would bring them back). A small library heard through is kept
   *  whole: offline, "Play it all again" starts over from it. */
  shownFeed(feed) {
    const gone = (t) => this.passed.has(t.id) || this.done.has(t.id);
    const pool = (feed.pool ?? []).filter((t) => !gone(t));
    if (!this.passed.size && pool.length < QUEUE_LENGTH) return feed;
    const current = this.current && !gone(this.current) ? [this.current] : [];
    return { ...feed, tracks: [...current, ...this.tracks], pool };
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
    return [...this.byId.values()].filter((t) => !this.done.has(t.id) && !this.passed.has(t.id)
      && t.id !== this.currentId);
  }

  /** Take the on-device ranking: [{id, score, reason}] best first. The first `keep` tracks of
   *  the current order stay where they are (they are on screen). */
  applyRanking(ranked, { keep = 0 } = {}) {
    for (const r of ranked) {
      const track = this.byId.get(r.id);
      if (track) this.byId.set(r.id, { ...track, score: r.score, reason: r.reason ?? track.reason });
    }
    const live = (id) => !this.done.has(id) && !this.passed.has(id) && id !== this.currentId;
    const kept = this.order.filter(live).slice(0, keep);
    const rest = ranked.map((r) => r.id).filter((id) => live(id) && !kept.includes(id));
    this.order = [...kept, ...this.#arranged(rest)].slice(0, Math.max(QUEUE_LENGTH, kept.length));
    this.source = "device";
    this.#changed();
  }

  /** Re-apply the playable-first rule (the line went or came back, a track got saved); tracks
   *  of the pool that can play now and were ranked below the list come back into it. */
  rearrange() {
    const listed = new Set(this.order);
    const extra = this.candidates().filter((t) => !listed.has(t.id) && !this.unplayable.has(t.id) && this.canPlayNow(t));
    const order = this.#arranged([...this.order, ...extra.map((t) => t.id)]).slice(0, Math.max(QUEUE_LENGTH, this.order.length));
    if (order.join() === this.order.join()) return;
    this.order = order;
    this.#changed();
  }

  setCurrent(track) {
    this.byId.set(track.id, this.byId.get(track.id) ?? track);
    this.currentId = track.id;
    this.unplayable.delete(track.id);
    this.order = this.order.filter((id) => id !== track.id);
    this.#changed();
  }

  /** The player is done with `track` (it ended, or the listener moved on): no card says it
   *  plays any more. */
  left(trackId) {
    if (trackId !== this.currentId) return;
    this.currentId = null;
    this.#changed();
  }

  markDone(trackId) {
    this.done.add(trackId);
    this.order = this.order.filter((id) => id !== trackId);
    this.#changed();
  }

  /** Start over: what was played this visit may be offered again (the next setFeed lists it). */
  forgetPlayed() {
    this.done.clear();
  }

  /** A track failed to load: it goes to the end, and is not picked by itself again. */
  markUnplayable(trackId) {
    this.unplayable.add(trackId);
    if (trackId === this.currentId) this.currentId = null;
    this.order = [...this.order.filter((id) => id !== trackId), trackId];
    this.#changed();
  }

  /** Back online: failed tracks may load now. */
  forgiveUnplayable() {
    if (!this.unplayable.size) return;
    this.unplayable.clear();
    this.rearrange();
  }

  /** The next track that can play now (null if none). */
  peekNext() {
    return this.tracks.find((t) => t.id !== this.currentId && !this.done.has(t.id)
      && !this.unplayable.has(t.id) && this.canPlayNow(t)) ?? null;
  }

  #arranged(ids) {
    const live = ids.filter((id) => !this.done.has(id));
    const ok = (id) => !this.unplayable.has(id) && this.byId.has(id) && this.canPlayNow(this.byId.get(id));
    return [...live.filter(ok), ...live.filter((id) => !ok(id) && !this.unplayable.has(id)),
      ...live.filter((id) => this.unplayable.has(id))];
  }

  #changed() {
    this.generation += 1;
    this.dispatchEvent(new Event("change"));
  }
}
