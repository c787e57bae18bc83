// Playback: one place decides "finished" and "skipped" for every player.
//  - finished: playback reached the end, or got within the last 2 s of it;
//  - skipped: the listener moved on earlier (next, another track, dislike handled apart),
//    recorded with the position they left at (the model weighs it against the skip threshold);
//  - liked / disliked: their own interactions.
import { AudioPlayer } from "./players/audio-player.js";

export const FINISH_MARGIN_MS = 2000;

export class Playback extends EventTarget {
  /**
   * @param {{record: (interaction: object, track: object) => void, nextTrack: () => object|null}} hooks
   */
  constructor({ record, nextTrack }) {
    super();
    this.record = record;
    this.nextTrack = nextTrack;
    this.audio = new AudioPlayer();
    this.spotify = null; // set when the Web Playback SDK is ready
    this.current = null; // {track, player, finished, judged, position_ms, duration_ms, playing}
    this.volume = 0.8;
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
      if (this.current?.player === player) this.#emit("error", e.detail);
    });
  }

  playerFor(track) {
    if (track.source === "spotify" && this.spotify) return this.spotify;
    if (AudioPlayer.canPlay(track)) return this.audio;
    return null;
  }

  /** Start `track`; whatever was playing is judged first (skipped unless it finished). */
  async play(track) {
    this.#leaveCurrent();
    const player = this.playerFor(track);
    if (!player) {
      this.#emit("error", `"${track.name}" can't be played here.`);
      return;
    }
    this.current = {
      track, player, finished: false, judged: false,
      position_ms: 0, duration_ms: track.duration_ms ?? 0, playing: false,
    };
    this.#emit("track", track);
    if (player !== this.audio) await this.audio.stop();
    if (this.spotify && player !== this.spotify) await this.spotify.stop().catch(() => {});
    await player.setVolume(this.volume);
    await player.load(track);
    try {
      await player.play();
    } catch (error) {
      if (error?.name !== "AbortError") this.#emit("error", `Playback was blocked: ${error.message}`);
    }
  }

  async toggle() {
    const c = this.current;
    if (!c) {
      const next = this.nextTrack();
      if (next) await this.play(next);
      return;
    }
    if (c.playing) await c.player.pause();
    else await c.player.play().catch((e) => this.#emit("error", e.message));
  }

  /** Next = skip: the current track is judged, the next in the queue starts. */
  async next() {
    const next = this.nextTrack();
    if (next) await this.play(next);
    else {
      this.#leaveCurrent();
      await this.current?.player.pause();
    }
  }

  async seek(ms) {
    await this.current?.player.seek(ms);
  }

  async setVolume(v) {
    this.volume = v;
    await this.current?.player.setVolume(v);
  }

  like() {
    if (this.current) this.#interaction("liked");
  }

  /** Dislike says more than a skip: record it, then move on without a second judgement. */
  async dislike() {
    if (!this.current) return;
    this.#interaction("disliked");
    this.current.judged = true;
    await this.next();
  }

  #leaveCurrent() {
    const c = this.current;
    if (!c || c.finished || c.judged) return;
    c.judged = true;
    if (c.duration_ms > 0 && c.position_ms >= c.duration_ms - FINISH_MARGIN_MS) this.#finish();
    else this.#interaction("skipped");
  }

  #finish() {
    const c = this.current;
    if (c.finished) return;
    c.finished = true;
    c.judged = true;
    this.#interaction("finished");
  }

  #onState(player, state) {
    const c = this.current;
    if (!c || c.player !== player) return;
    c.position_ms = state.position_ms;
    if (state.duration_ms > 0) c.duration_ms = state.duration_ms;
    c.playing = state.playing;
    if (!c.finished && c.duration_ms > 0 && c.position_ms >= c.duration_ms - FINISH_MARGIN_MS && !c.judged) {
      this.#finish();
    }
    this.#emit("state", { ...state, duration_ms: c.duration_ms });
  }

  async #onEnded(player) {
    const c = this.current;
    if (!c || c.player !== player) return;
    if (!c.judged) this.#finish();
    c.playing = false;
    const next = this.nextTrack();
    if (next) await this.play(next);
    else this.#emit("state", { position_ms: c.duration_ms, duration_ms: c.duration_ms, playing: false });
  }

  #interaction(type) {
    const c = this.current;
    const interaction = {
      id: crypto.randomUUID(),
      track_id: c.track.id,
      type,
      position_ms: Math.round(type === "finished" ? Math.max(c.position_ms, 0) : c.position_ms),
      duration_ms: Math.round(c.duration_ms),
      at: Date.now(),
    };
    this.record(interaction, c.track);
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
