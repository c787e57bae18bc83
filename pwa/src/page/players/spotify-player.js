// The Spotify Web Playback SDK player (connected Premium accounts). Same interface as AudioPlayer.
// The SDK script comes from Spotify (or, in development, the emulator the server names in
// /api/me); its token from /api/spotify/token (never stored anywhere).
import { api } from "../api.js";

const SDK_URL = "https://sdk.scdn.co/spotify-player.js";
const WEB_API = "https://api.spotify.com/v1";
const TICK_MS = 500;

let sdkPromise;
function loadSdk(url) {
  sdkPromise ??= new Promise((resolve, reject) => {
    window.onSpotifyWebPlaybackSDKReady = () => resolve(window.Spotify);
    const script = document.createElement("script");
    script.src = url;
    script.async = true;
    script.onerror = () => reject(new Error("The Spotify player could not be loaded."));
    document.head.append(script);
  });
  return sdkPromise;
}

async function token() {
  const { access_token } = await api("/api/spotify/token");
  return access_token;
}

export class SpotifyPlayer extends EventTarget {
  kind = "spotify";

  /** Connect the SDK; rejects with a user-facing message on initialization/auth/account errors. */
  static async connect({ volume = 0.8, sdkUrl = SDK_URL, apiUrl = WEB_API } = {}) {
    const Spotify = await loadSdk(sdkUrl);
    const self = new SpotifyPlayer(apiUrl);
    self.sdk = new Spotify.Player({
      name: "Encore",
      volume,
      getOAuthToken: (cb) => token().then(cb, () => cb("")), // asked again whenever it expires
    });
    await new Promise((resolve, reject) => {
      const fail = (what) => ({ message }) => reject(new Error(`${what}: ${message}`));
      self.sdk.addListener("initialization_error", fail("Spotify playback isn't available in this browser"));
      self.sdk.addListener("authentication_error", fail("Spotify sign-in failed"));
      self.sdk.addListener("account_error", fail("Spotify playback needs a Premium account"));
      self.sdk.addListener("ready", ({ device_id }) => {
        self.deviceId = device_id;
        resolve();
      });
      self.sdk.connect().then((ok) => ok || reject(new Error("Spotify playback could not start.")));
    });
    self.sdk.addListener("player_state_changed", (state) => self.#onState(state));
    self.sdk.addListener("playback_error", ({ message }) => self.dispatchEvent(new CustomEvent("error", { detail: message })));
    self.sdk.addListener("not_ready", () => self.dispatchEvent(new CustomEvent("error", { detail: "Spotify player went offline." })));
    await self.#webApi("PUT", "/me/player", { device_ids: [self.deviceId], play: false });
    return self;
  }

  constructor(apiUrl = WEB_API) {
    super();
    this.apiUrl = apiUrl;
    this.uri = null;
    this.last = { position_ms: 0, duration_ms: 0, playing: false, at: 0 };
    this.timer = setInterval(() => this.#tick(), TICK_MS);
  }

  async #webApi(method, path, body) {
    const response = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${await token()}`, "Content-Type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok && response.status !== 204) {
      const message = (await response.json().catch(() => null))?.error?.message ?? `HTTP ${response.status}`;
      throw new Error(`Spotify: ${message}`);
    }
  }

  get state() {
    const { position_ms, duration_ms, playing, at } = this.last;
    const now = playing ? Math.min(duration_ms, position_ms + (performance.now() - at)) : position_ms;
    return { position_ms: now, duration_ms, playing };
  }

  #onState(state) {
    if (!state) return;
    const current = state.track_window?.current_track;
    const previous = state.track_window?.previous_tracks ?? [];
    // The SDK's end of a track: paused at 0 with the track moved to previous_tracks.
    const ended = state.paused && state.position === 0 && previous.some((t) => t.uri === this.uri);
    if (current?.uri === this.uri || ended) {
      this.last = { position_ms: state.position, duration_ms: state.duration, playing: !state.paused, at: performance.now() };
      this.dispatchEvent(new CustomEvent("state", { detail: this.state }));
    }
    if (ended && this.uri) {
      this.uri = null;
      this.dispatchEvent(new Event("ended"));
    }
  }

  #tick() {
    if (this.last.playing && this.uri) this.dispatchEvent(new CustomEvent("state", { detail: this.state }));
  }

  /** Load `track` by starting it (the Web API has no other way), at `position_ms`. */
  async load(track, { position_ms = 0 } = {}) {
    this.uri = track.uri;
    this.last = { position_ms, duration_ms: track.duration_ms ?? 0, playing: false, at: performance.now() };
    await this.sdk.activateElement?.();
    const body = { uris: [track.uri], ...(position_ms > 0 ? { position_ms: Math.round(position_ms) } : {}) };
    await this.#webApi("PUT", `/me/player/play?device_id=${encodeURIComponent(this.deviceId)}`, body);
  }

  async play() {
    await this.sdk.resume();
  }

  async pause() {
    await this.sdk.pause();
  }

  async seek(ms) {
    await this.sdk.seek(Math.max(0, Math.round(ms)));
  }

  async setVolume(v) {
    await this.sdk.setVolume(v);
  }

  async stop() {
    this.uri = null;
    await this.sdk.pause();
  }

  /** Spotify was disconnected: leave the Spotify Connect device list and stop reporting. */
  async disconnect() {
    clearInterval(this.timer);
    this.uri = null;
    await this.sdk.disconnect?.();
  }
}
