// Stand-in for https://sdk.scdn.co/spotify-player.js, served by the Spotify emulator.
// Same surface as the real Web Playback SDK; plays the emulator's tone for each track through an
// <audio> element (headless Chromium has no Widevine, so the real SDK cannot run in tests).
(() => {
  "use strict";
  const ORIGIN = "__EMULATOR_ORIGIN__"; // replaced by the emulator with its own origin
  const EVENTS = [
    "ready", "not_ready", "player_state_changed", "initialization_error",
    "authentication_error", "account_error", "playback_error", "autoplay_failed",
  ];
  const POLL_WAIT_S = 5;

  // Web API TrackObject -> the SDK's WebPlaybackTrack.
  function webPlaybackTrack(t) {
    return {
      uri: t.uri, id: t.id, type: "track", media_type: "audio", name: t.name,
      is_playable: true, duration_ms: t.duration_ms, uid: t.id,
      linked_from: { uri: null, id: null },
      album: {
        uri: t.album.uri, name: t.album.name,
        images: t.album.images.map((i) => ({ url: i.url, height: i.height, width: i.width })),
      },
      artists: t.artists.map((a) => ({ uri: a.uri, name: a.name, url: a.href })),
    };
  }

  class Player {
    constructor(options) {
      if (!options || typeof options.getOAuthToken !== "function") {
        throw new TypeError("Spotify.Player requires getOAuthToken");
      }
      this._options = {
        name: options.name || "Web Playback SDK",
        volume: typeof options.volume === "number" ? options.volume : 1,
        getOAuthToken: options.getOAuthToken,
      };
      this._listeners = new Map();
      this._deviceId = null;
      this._connected = false;
      this._abort = null;
      this._seq = 0;
      this._queue = []; // [{track, audio_url}]
      this._index = 0;
      this._finished = false; // the queue played to its end
      this._audio = null;
    }

    // -- events -------------------------------------------------------------------------------
    addListener(event, callback) {
      if (!EVENTS.includes(event) || typeof callback !== "function") return false;
      if (!this._listeners.has(event)) this._listeners.set(event, new Set());
      this._listeners.get(event).add(callback);
      return true;
    }
    on(event, callback) { return this.addListener(event, callback); }
    removeListener(event, callback) {
      if (!this._listeners.has(event)) return false;
      if (callback) this._listeners.get(event).delete(callback);
      else this._listeners.delete(event);
      return true;
    }
    _emit(event, payload) {
      for (const callback of [...(this._listeners.get(event) || [])]) {
        try { callback(payload); } catch (err) { console.error(err); }
      }
    }

    // -- connection ---------------------------------------------------------------------------
    _token() {
      return new Promise((resolve) => this._options.getOAuthToken(resolve));
    }

    async connect() {
      if (this._connected) return true;
      let response;
      let body = {};
      try {
        const token = await this._token();
        response = await fetch(`${ORIGIN}/__sdk/devices`, {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body: JSON.stringify({ name: this._options.name, volume: this._options.volume }),
        });
        body = await response.json().catch(() => ({}));
      } catch (err) {
        this._emit("initialization_error", { message: `Failed to initialize player: ${err}` });
        return false;
      }
      if (!response.ok) {
        const error = body.error || {};
        const kind = EVENTS.includes(error.kind) ? error.kind : "initialization_error";
        this._emit(kind, { message: error.message || "Failed to initialize player" });
        return false;
      }
      this._deviceId = body.device_id;
      this._connected = true;
      this._ensureAudio();
      this._poll(this._deviceId);
      this._emit("ready", { device_id: this._deviceId });
      return true;
    }

    disconnect() {
      if (!this._connected) return;
      this._connected = false;
      if (this._abort) this._abort.abort();
      if (this._audio) this._audio.pause();
      fetch(`${ORIGIN}/__sdk/devices/${this._deviceId}/disconnect`, { method: "POST", keepalive: true })
        .catch(() => {});
    }

    async _poll(deviceId) {
      while (this._connected && this._deviceId === deviceId) {
        this._abort = new AbortController();
        try {
          const response = await fetch(
            `${ORIGIN}/__sdk/devices/${deviceId}/commands?after=${this._seq}&wait=${POLL_WAIT_S}`,
            { signal: this._abort.signal, cache: "no-store" });
          if (response.status === 404) {
            this._connected = false;
            this._emit("not_ready", { device_id: deviceId });
            return;
          }
          const { commands } = await response.json();
          for (const command of commands) {
            this._seq = command.seq;
            this._run(command);
          }
        } catch (err) {
          if (!this._connected) return;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    }

    _run(command) {
      if (command.type === "play") {
        this._queue = command.tracks;
        this._load(command.index, command.position_ms || 0);
      } else if (command.type === "pause") {
        this._audio.pause();
      } else if (command.type === "resume") {
        this._play();
      }
    }

    // -- audio ----------------------------------------------------------------------------------
    _ensureAudio() {
      if (this._audio) return this._audio;
      const audio = document.createElement("audio");
      audio.dataset.spotifyEmulator = "player";
      audio.preload = "auto";
      audio.volume = this._options.volume;
      audio.hidden = true;
      (document.body || document.documentElement).appendChild(audio);
      for (const type of ["playing", "pause", "seeked"]) {
        audio.addEventListener(type, () => this._changed());
      }
      audio.addEventListener("ended", () => {
        if (this._index + 1 < this._queue.length) {
          this._load(this._index + 1, 0);
        } else {
          this._finished = true; // like the real SDK: paused, position 0, track in previous
          this._changed();
        }
      });
      audio.addEventListener("error", () => {
        this._emit("playback_error", { message: "Failed to play the track" });
      });
      this._audio = audio;
      return audio;
    }

    _load(index, positionMs) {
      const audio = this._ensureAudio();
      this._index = index;
      this._finished = false;
      audio.src = this._queue[index].audio_url;
      if (positionMs > 0) {
        audio.addEventListener("loadedmetadata", () => {
          audio.currentTime = Math.min(positionMs / 1000, audio.duration || 0);
        }, { once: true });
      }
      this._play();
    }

    _play() {
      if (!this._audio || !this._audio.src) return Promise.resolve();
      this._finished = false;
      return this._audio.play().catch((err) => {
        if (err && err.name === "NotAllowedError") {
          this._emit("autoplay_failed", { message: "Autoplay is not allowed" });
        } else if (!err || err.name !== "AbortError") {
          this._emit("playback_error", { message: `Failed to play the track: ${err}` });
        }
        this._changed();
      });
    }

    _state() {
      if (!this._queue.length || !this._audio) return null;
      const audio = this._audio;
      const current = webPlaybackTrack(this._queue[this._index].track);
      const previous = this._queue.slice(0, this._index).map((q) => webPlaybackTrack(q.track));
      if (this._finished) previous.push(current);
      const next = this._queue.slice(this._index + 1).map((q) => webPlaybackTrack(q.track));
      const paused = audio.paused || this._finished;
      return {
        context: { uri: null, metadata: {} },
        disallows: {
          pausing: paused, resuming: !paused, seeking: false,
          skipping_next: next.length === 0, skipping_prev: previous.length === 0,
          peeking_next: false, peeking_prev: false,
        },
        duration: Math.round((Number.isFinite(audio.duration) ? audio.duration : 0) * 1000),
        paused,
        position: this._finished ? 0 : Math.round(audio.currentTime * 1000),
        loading: false,
        playback_id: String(this._seq),
        playback_quality: "VERY_HIGH",
        playback_speed: 1,
        repeat_mode: 0,
        shuffle: false,
        timestamp: Date.now(),
        track_window: { current_track: current, previous_tracks: previous, next_tracks: next },
      };
    }

    _changed() {
      const state = this._state();
      if (!state) return;
      this._emit("player_state_changed", state);
      if (!this._connected) return;
      fetch(`${ORIGIN}/__sdk/devices/${this._deviceId}/state`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          paused: state.paused, position: state.position,
          track_uri: state.track_window.current_track.uri, volume: this._audio.volume,
        }),
      }).catch(() => {});
    }

    // -- the SDK's methods ------------------------------------------------------------------------
    getCurrentState() { return Promise.resolve(this._connected ? this._state() : null); }
    getVolume() { return Promise.resolve(this._audio ? this._audio.volume : this._options.volume); }
    setVolume(volume) {
      this._options.volume = volume;
      if (this._audio) this._audio.volume = volume;
      return Promise.resolve();
    }
    setName(name) { this._options.name = name; return Promise.resolve(); }
    pause() { if (this._audio) this._audio.pause(); return Promise.resolve(); }
    resume() { return this._play(); }
    togglePlay() { return this._audio && !this._audio.paused ? this.pause() : this.resume(); }
    seek(positionMs) {
      if (this._audio) this._audio.currentTime = positionMs / 1000;
      return Promise.resolve();
    }
    previousTrack() {
      if (this._index > 0) this._load(this._index - 1, 0);
      return Promise.resolve();
    }
    nextTrack() {
      if (this._index + 1 < this._queue.length) this._load(this._index + 1, 0);
      return Promise.resolve();
    }
    activateElement() { this._ensureAudio(); return Promise.resolve(); }
  }

  window.Spotify = { Player };
  // The real script calls this once loaded; let the page finish defining it first.
  setTimeout(() => {
    if (typeof window.onSpotifyWebPlaybackSDKReady === "function") {
      window.onSpotifyWebPlaybackSDKReady();
    } else {
      console.error("onSpotifyWebPlaybackSDKReady is not defined");
    }
  }, 0);
})();
