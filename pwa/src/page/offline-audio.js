// Offline listening: the next ten tracks of the listener's queue are kept in the service
// worker's audio cache (fetched through it), within a storage budget, and the browser is asked
// once to keep Encore's storage (navigator.storage.persist()). `has(id)` says whether a track can
// play without the server.
import { offlineTrackIds } from "./sw-client.js";
import { AUDIO_CACHE } from "../shared/protocol.js";

export const KEEP_AHEAD = 10;
const BUDGET_MAX_BYTES = 200e6; // audio kept for offline listening, at most...
const BUDGET_SHARE = 0.2; // ...and at most this share of what the browser grants the origin

export class OfflineAudio extends EventTarget {
  constructor({ isOnline }) {
    super();
    this.isOnline = isOnline;
    this.saved = new Set();
    this.persisted = null; // the browser's answer to persist(), once asked
    this.bytes = 0;
    this.budget = BUDGET_MAX_BYTES;
    this.running = null;
    this.again = false;
    this.stopped = false;
    this.inFlight = null; // AbortController of the download under way
  }

  /** No more downloads (an update is about to take over: in-flight fetches would hold the old
   *  service worker, and the new one, back). */
  stop() {
    this.stopped = true;
    this.inFlight?.abort();
  }

  has(trackId) {
    return this.saved.has(trackId);
  }

  /** Re-read what the audio cache holds (after a reload, or when the cache was emptied). */
  async refresh() {
    this.saved = await offlineTrackIds();
    this.bytes = await cachedBytes();
    this.#changed();
  }

  /** Keep `tracks` (the current one and the next ones, in order) playable offline. */
  keep(tracks) {
    this.wanted = tracks.filter((t) => t?.audio_url).slice(0, KEEP_AHEAD + 1);
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.#fetchWanted();
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  async #fetchWanted() {
    if (this.stopped || !navigator.serviceWorker?.controller || !this.isOnline()) return;
    await this.#askToPersist();
    await this.#updateBudget();
    for (const track of this.wanted) {
      if (this.stopped || this.again || !this.isOnline()) return; // stopped, new queue, no line
      if (this.saved.has(track.id)) continue;
      if (this.bytes + (track.duration_ms ?? 60000) * 16 > this.budget) return; // ~128 kbit/s
      try {
        this.inFlight = new AbortController();
        const response = await fetch(track.audio_url, { signal: this.inFlight.signal });
        if (!response.ok) continue;
        const size = (await response.arrayBuffer()).byteLength;
        this.inFlight = null;
        if (await inAudioCache(track.audio_url)) {
          this.saved.add(track.id);
          this.bytes += size;
          this.#changed();
        }
      } catch {
        return; // unreachable: it will be fetched when the server is back
      }
    }
  }

  async #askToPersist() {
    if (this.persisted !== null) return;
    try {
      this.persisted = (await navigator.storage?.persisted?.()) || (await navigator.storage?.persist?.()) || false;
    } catch {
      this.persisted = false;
    }
  }

  async #updateBudget() {
    try {
      const { quota } = (await navigator.storage?.estimate?.()) ?? {};
      if (quota) this.budget = Math.min(BUDGET_MAX_BYTES, quota * BUDGET_SHARE);
    } catch {
      /* keep the default */
    }
  }

  #changed() {
    this.dispatchEvent(new CustomEvent("change", { detail: { saved: this.saved.size, bytes: this.bytes } }));
  }
}

/** The service worker stores after answering: poll briefly before calling it offline-ready. */
async function inAudioCache(url) {
  for (let i = 0; i < 30; i++) {
    if (await caches.match(url, { cacheName: AUDIO_CACHE })) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

async function cachedBytes() {
  if (!("caches" in globalThis) || !(await caches.has(AUDIO_CACHE))) return 0;
  const cache = await caches.open(AUDIO_CACHE);
  let total = 0;
  for (const request of await cache.keys()) {
    total += Number((await cache.match(request))?.headers.get("Content-Length") ?? 0);
  }
  return total;
}
