// The HTML5 <audio> player: demo and local tracks, and Spotify previews.
// Same interface as the Spotify player: load/play/pause/seek/setVolume, "state" and "ended" events.

export class AudioPlayer extends EventTarget {
  kind = "audio";

  constructor() {
    super();
    this.audio = new Audio();
    this.audio.preload = "auto";
    const report = () => this.dispatchEvent(new CustomEvent("state", { detail: this.state }));
    for (const type of ["timeupdate", "play", "pause", "durationchange", "seeked", "loadedmetadata"]) {
      this.audio.addEventListener(type, report);
    }
    this.audio.addEventListener("ended", () => this.dispatchEvent(new Event("ended")));
    this.audio.addEventListener("error", () => {
      const code = this.audio.error?.code;
      this.dispatchEvent(new CustomEvent("error", { detail: `This track can't be played (media error ${code}).` }));
    });
  }

  static canPlay(track) {
    return Boolean(track.audio_url || track.preview_url);
  }

  get state() {
    const a = this.audio;
    const duration = Number.isFinite(a.duration) ? a.duration * 1000 : 0;
    return { position_ms: a.currentTime * 1000, duration_ms: duration, playing: !a.paused && !a.ended };
  }

  /** Load `track`, to start at `position_ms` (a song resumed after a reload). */
  async load(track, { position_ms = 0 } = {}) {
    this.audio.src = track.audio_url || track.preview_url;
    this.audio.load();
    if (position_ms > 0) await this.seek(position_ms);
  }

  async play() {
    await this.audio.play();
  }

  async pause() {
    this.audio.pause();
  }

  async seek(ms) {
    this.audio.currentTime = Math.max(0, ms / 1000);
  }

  async setVolume(v) {
    this.audio.volume = Math.min(1, Math.max(0, v));
  }

  async stop() {
    this.audio.pause();
  }
}
