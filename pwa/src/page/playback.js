// Playback: one place decides what a listener did with a track, for every player. What counts is
// what was heard (docs/architecture.md, "What counts as a finish and a skip"):
//  - heard: time the audio really played: the position's advance between two reports, when
//    no more than the time that passed (a seek jumps further and adds nothing);
//  - finished: the end was reached (or its last 2 s) having heard at least the skip threshold
//    or half the track, whichever is less;
//  - skipped: the listener moved on (next, another track, or the end reached by seeking; asking
//    for the song that is playing, e.g. by its album's "Play all", is not moving on), with
//    position_ms = what was heard, so the model weighs it against the skip threshold;
//  - nothing: a track that never started or failed to load was not heard: no interaction
//    (online, a failed load is tried once more after a second before moving on);
//  - liked / disliked: their own interactions.
import { AudioPlayer } from "./players/audio-player.js";

export const FINISH_MARGIN_MS = 2000;
const CLOCK_SLACK_MS = 250; // reports lag a little: an advance this much beyond the clock is still play
const MAX_FAILED_IN_A_ROW = 5;
const RETRY_AFTER_MS = 1000; // a track that failed to load is tried once more after this

/** Where, in ms into a track, a skip stops counting against it (shared_model/labels.py). */
export function skipThresholdMs(settings, durationMs) {
  const value = Number(settings?.skip_threshold_value ?? 30);
  if (settings?.skip_threshold_unit === "percent") {
    return durationMs > 0 ? (durationMs * Math.min(100, Math.max(0, value))) / 100 : 30000;
  }
  const ms = Math.max(0, value) * 1000;
  return durationMs > 0 ? Math.min(ms, durationMs) : ms;
}

/** How much must be heard for reaching the end to count as a finish. */
export function finishNeedsMs(settings, durationMs) {
  return Math.min(skipThresholdMs(settings, durationMs), durationMs / 2);
}

export class Playback extends EventTarget {
  /**
   * @param {{record: (interaction: object, track: object) => void,
   *          nextTrack: () => object|null,
   *          afterFailure: (track: object, error: Error) => object|null,
   *          settings: () => object}} hooks
   */
  constructor({ record, nextTrack, afterFailure, settings }) {
    super();
    this.record = record;
    this.nextTrack = nextTrack;
    this.afterFailure = afterFailure ?? (() => null);
    this.settings = settings ?? (() => ({}));
    this.audio = new AudioPlayer();
    this.spotify = null; // set when the Web Playback SDK is ready
    this.current = null; // see #makeCurrent
    this.volume = 0.8;
    this.failedInARow = 0;
    this.#wire(this.audio);
  }

  /** Route Spotify tracks to the SDK player once it is ready (null to fall back to audio). */
  useSpotify(player) {
    if (player) this.#wire(player);
    this.spotify = player;
  }

  #wire(player) {
    player.addEventListener("state", (e) => this.#onState(player, e.detail));
    player.addEventListener("ended", () => this.#onEnded(player));
    player.addEventListener("error", (e) => {
      if (this.current?.player === player) this.#failed(new Error(e.detail));
    });
  }

  playerFor(track) {
    if (track.source === "spotify" && this.spotify) return this.spotify;
    if (AudioPlayer.canPlay(track)) return this.audio;
    return null;
  }

  /** Start `track`; whatever was playing is judged first. */
  async play(track) {
    const now = this.current;
    if (now && !now.failed && !now.left && now.track.id === track.id) {
      // The song already playing was asked for (its album's "Play all", its Play in the
      // details): it goes on where it is, and is not judged as left, which would be a skip.
      if (now.unloaded) await this.#startResumed(now);
      else if (!now.playing) await now.player.play().catch((e) => this.#failed(e));
      return;
    }
    this.#leaveCurrent();
    const player = this.playerFor(track);
    if (!player) {
      this.#emit("error", `“${track.name}” can't be played here.`);
      return;
    }
    const c = this.#makeCurrent(track, player);
    if (player !== this.audio) await this.audio.stop();
    if (this.spotify && player !== this.spotify) await this.spotify.stop().catch(() => {});
    try {
      await player.setVolume(this.volume);
      await player.load(track);
      await player.play();
    } catch (error) {
      if (this.current !== c) return; // another track was asked for meanwhile
      if (error?.name === "AbortError") return; // a newer load replaced this one
      if (error?.name === "NotAllowedError") {
        // The browser wants a gesture first: nothing failed, the listener presses Play.
        this.#emit("state", { position_ms: 0, duration_ms: c.duration_ms, playing: false });
        this.#emit("error", "The browser held playback back: press Play to start.");
        return;
      }
      this.#failed(error);
    }
  }

  /** Show `track` where an earlier visit left it, paused: Play goes on from there (the browser
   *  would block starting by itself). The earlier visit was never judged (the page went away):
   *  what it heard counts with what this visit hears, as one listening of the song split by a
   *  reload the listener did not mean as leaving it. Not started here, so leaving it before
   *  Play records nothing. A Spotify song is not loaded yet (`unloaded`, no player): the SDK's
   *  player may not be ready at boot, and it loads a song only by starting it; Play starts it
   *  there, from where it was (#startResumed). */
  async resume(track, { position_ms = 0, heard_ms = 0 } = {}) {
    const spotify = track.source === "spotify";
    const player = spotify ? null : this.playerFor(track);
    if (this.current || !(spotify || player)) return;
    const c = this.#makeCurrent(track, player, { position_ms, heard_ms });
    c.unloaded = spotify;
    this.#emit("state", { position_ms, duration_ms: c.duration_ms, playing: false });
    if (spotify) return;
    try {
      await player.setVolume(this.volume);
      await player.load(track, { position_ms });
    } catch (error) {
      if (this.current === c) this.#failed(error);
    }
  }

  /** `track` becomes the current one, on `player`, not started yet (a resumed one from where
   *  and with what an earlier visit heard); the page hears of it. */
  #makeCurrent(track, player, { position_ms = 0, heard_ms = 0 } = {}) {
    const c = {
      track, player, judged: false, left: false, failed: false, started: false, playing: false,
      position_ms, heard_ms, duration_ms: track.duration_ms ?? 0, reported_at: performance.now(),
    };
    this.current = c;
    this.#emit("track", track);
    return c;
  }

  /** Play on a resumed song kept unloaded (Spotify's): the player that plays it now (the
   *  SDK's once ready, as for any Spotify song) starts it where the earlier visit left it. */
  async #startResumed(c) {
    const player = this.playerFor(c.track);
    if (!player) {
      this.#emit("error", `“${c.track.name}” can't be played here.`);
      return;
    }
    c.player = player;
    c.unloaded = false;
    if (player !== this.audio) await this.audio.stop();
    try {
      await player.setVolume(this.volume);
      await player.load(c.track, { position_ms: c.position_ms });
      await player.play();
    } catch (error) {
      if (this.current === c) this.#failed(error);
    }
  }

  async toggle() {
    const c = this.current;
    if (!c || c.failed) {
      const next = c?.failed ? c.track : this.nextTrack();
      if (next) await this.play(next);
      return;
    }
    if (c.unloaded) await this.#startResumed(c);
    else if (c.playing) await c.player.pause();
    else await c.player.play().catch((e) => this.#failed(e));
  }

  /** Next = skip: the current track is judged, the next in the queue starts. */
  async next() {
    const next = this.nextTrack();
    if (next) await this.play(next);
    else {
      this.#leaveCurrent();
      await this.current?.player?.pause();
    }
  }

  /** Stop the current track without judging it again (e.g. its source went away). */
  async stopCurrent() {
    const c = this.current;
    if (!c) return;
    this.#leaveCurrent();
    await c.player?.stop?.().catch?.(() => {});
    c.playing = false;
    this.#emit("state", { position_ms: c.position_ms, duration_ms: c.duration_ms, playing: false });
  }

  async seek(ms) {
    const c = this.current;
    if (c?.unloaded) { // where Play will start it
      c.position_ms = ms;
      this.#emit("state", { position_ms: ms, duration_ms: c.duration_ms, playing: false });
    } else await c?.player.seek(ms);
  }

  async setVolume(v) {
    this.volume = v;
    await this.current?.player?.setVolume(v);
  }

  like() {
    if (this.current && !this.current.failed) this.#interaction("liked");
  }

  /** Dislike says more than a skip: record it, then move on without a second judgement. */
  async dislike() {
    if (!this.current || this.current.failed) return;
    this.#interaction("disliked");
    this.current.judged = true;
    await this.next();
  }

  /** The track could not be loaded or stopped loading: not the listener's doing, no interaction.
   *  The page says why and picks what to try next (e.g. a track saved on this device). */
  async #failed(error) {
    const c = this.current;
    if (!c || c.failed || c.retrying) return; // one failure is often reported twice
    if (this.#mayRetry(c)) {
      c.retried = c.retrying = true;
      const playing = await this.#retry(c);
      c.retrying = false;
      if (playing || this.current !== c || c.failed) return;
    }
    c.failed = true;
    c.judged = true;
    c.playing = false;
    await c.player.stop?.().catch?.(() => {});
    this.#emit("state", { position_ms: c.position_ms, duration_ms: c.duration_ms, playing: false });
    this.failedInARow += 1;
    const next = this.failedInARow < MAX_FAILED_IN_A_ROW ? await this.afterFailure(c.track, error) : null;
    this.#emit("unplayable", { track: c.track, error, next });
    if (next && this.current === c) await this.play(next);
  }

  /** One more try, once, for a track that never started while the browser is online: a
   *  busy server or a dropped connection is often gone a moment later, and moving on at once
   *  would pass over a song the listener asked for. */
  #mayRetry(c) {
    return !c.started && !c.retried && navigator.onLine && c.player === this.audio;
  }

  /** True when the track plays now, or the listener moved on meanwhile. */
  async #retry(c) {
    await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS));
    if (this.current !== c) return true;
    try {
      await c.player.load(c.track);
      await c.player.play();
      return true;
    } catch (error) {
      return this.current !== c || error?.name === "AbortError";
    }
  }

  #heardEnough(c) {
    return c.heard_ms >= finishNeedsMs(this.settings(), c.duration_ms);
  }

  /** The listener is done with the current song: moved on, or its end came. Judged now unless
   *  it already was (a finish is judged in its last 2 s, which still play: the page shows it
   *  as playing until this says it "left"). */
  #leaveCurrent() {
    const c = this.current;
    if (!c || c.left) return;
    c.left = true;
    if (!c.judged) {
      c.judged = true;
      const atEnd = c.duration_ms > 0 && c.position_ms >= c.duration_ms - FINISH_MARGIN_MS;
      // (never heard: nothing to say about it)
      if (c.started) this.#interaction(atEnd && this.#heardEnough(c) ? "finished" : "skipped");
    }
    this.#emit("left", c.track);
  }

  #onState(player, state) {
    const c = this.current;
    if (!c || c.player !== player || c.failed) return;
    const step = state.position_ms - c.position_ms;
    const now = performance.now();
    const elapsed = now - c.reported_at;
    c.reported_at = now;
    // Played since the last report (playing at either end of it: the first stretch after a
    // start or a resume counts too), unless it moved further than the clock did (a seek).
    if ((c.playing || state.playing) && step > 0 && step <= elapsed * 1.1 + CLOCK_SLACK_MS) c.heard_ms += step;
    c.position_ms = state.position_ms;
    if (state.duration_ms > 0) c.duration_ms = state.duration_ms;
    c.playing = state.playing;
    if (state.playing && state.position_ms > 0 && !c.started) {
      c.started = true;
      this.failedInARow = 0;
    }
    const nearEnd = c.duration_ms > 0 && c.position_ms >= c.duration_ms - FINISH_MARGIN_MS;
    if (!c.judged && nearEnd && this.#heardEnough(c)) {
      c.judged = true;
      this.#interaction("finished");
    }
    this.#emit("state", { ...state, duration_ms: c.duration_ms });
  }

  async #onEnded(player) {
    const c = this.current;
    if (!c || c.player !== player || c.failed) return;
    c.position_ms = c.duration_ms || c.position_ms;
    this.#leaveCurrent(); // heard enough: finished; jumped here: skipped at what was heard
    c.playing = false;
    const next = this.nextTrack({ finished: true }); // (repeat one plays it again)
    if (next) await this.play(next);
    else this.#emit("state", { position_ms: c.duration_ms, duration_ms: c.duration_ms, playing: false });
  }

  #interaction(type) {
    const c = this.current;
    const heard = Math.min(c.heard_ms, c.duration_ms || c.heard_ms);
    const interaction = {
      id: crypto.randomUUID(),
      track_id: c.track.id,
      type,
      position_ms: Math.round(type === "finished" ? Math.max(c.position_ms, 0) : heard),
      duration_ms: Math.round(c.duration_ms),
      at: Date.now(),
    };
    this.record(interaction, c.track);
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
