// What plays next: the listener's own queue ("Play next", "Add to queue"), then the rest of what
// they started (an album, a playlist, an artist, search results: shuffled or not, repeated or
// not), then the feed, which keeps filling the queue when all of that runs out.
//
// `peek()` never consumes: the player asks what comes next, and `started(track)` takes it off
// when it really starts (whoever started it).

export class Listening extends EventTarget {
  /** @param {{feed: {peekNext: () => object|null}, canPlay: (track: object) => boolean}} deps */
  constructor({ feed, canPlay }) {
    super();
    this.feed = feed;
    this.canPlay = canPlay;
    this.upNext = []; // the listener's queue, in order
    this.context = null; // {kind, id, name, tracks, order: [index...], at}
    this.shuffle = false;
    this.repeat = "off"; // off | all | one
    this.current = null;
  }

  /** Play `tracks` from `start` as a context (album, playlist, artist, search, liked). */
  setContext({ kind, id = null, name, tracks }, start = 0) {
    const order = tracks.map((_, i) => i);
    this.context = { kind, id, name, tracks: [...tracks], order, at: start };
    if (this.shuffle) this.#shuffleContext(start);
    this.#changed();
    return tracks[start] ?? null;
  }

  playNext(tracks) {
    this.upNext.unshift(...tracks);
    this.#changed();
  }

  addToQueue(tracks) {
    this.upNext.push(...tracks);
    this.#changed();
  }

  remove(index) {
    this.upNext.splice(index, 1);
    this.#changed();
  }

  move(from, to) {
    if (to < 0 || to >= this.upNext.length || from === to) return;
    const [track] = this.upNext.splice(from, 1);
    this.upNext.splice(to, 0, track);
    this.#changed();
  }

  clear() {
    this.upNext = [];
    this.context = null;
    this.#changed();
  }

  setShuffle(on) {
    this.shuffle = Boolean(on);
    if (this.context) {
      if (this.shuffle) this.#shuffleContext(this.context.order[this.context.at] ?? 0);
      else {
        const playing = this.context.order[this.context.at] ?? 0;
        this.context.order = this.context.tracks.map((_, i) => i);
        this.context.at = playing;
      }
    }
    this.#changed();
  }

  cycleRepeat() {
    this.repeat = { off: "all", all: "one", one: "off" }[this.repeat];
    this.#changed();
    return this.repeat;
  }

  /** The context's tracks still to come, in play order. */
  contextAhead() {
    const c = this.context;
    if (!c) return [];
    const ahead = c.order.slice(c.at + 1).map((i) => c.tracks[i]);
    if (this.repeat === "all") ahead.push(...c.order.slice(0, c.at + 1).map((i) => c.tracks[i]));
    return ahead;
  }

  /** What plays after the current track (null: nothing can). */
  peek({ finished = false } = {}) {
    if (finished && this.repeat === "one" && this.current) return this.current;
    const ok = (t) => t && t.id !== this.current?.id && this.canPlay(t);
    const queued = this.upNext.find(ok);
    if (queued) return queued;
    const fromContext = this.contextAhead().find(ok);
    if (fromContext) return fromContext;
    return this.feed.peekNext();
  }

  /** A track started playing: take it off the queue, or move the context along. */
  started(track) {
    this.current = track;
    const queued = this.upNext.findIndex((t) => t.id === track.id);
    if (queued >= 0) this.upNext.splice(queued, 1);
    else if (this.context) {
      const c = this.context;
      const position = c.order.findIndex((i) => c.tracks[i].id === track.id);
      if (position >= 0) c.at = position;
      else this.context = null; // something else started: the context is over
    }
    this.#changed();
  }

  #shuffleContext(keepFirst) {
    const c = this.context;
    const rest = c.tracks.map((_, i) => i).filter((i) => i !== keepFirst);
    for (let i = rest.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [rest[i], rest[j]] = [rest[j], rest[i]];
    }
    c.order = [keepFirst, ...rest];
    c.at = 0;
  }

  #changed() {
    this.dispatchEvent(new Event("change"));
  }
}
