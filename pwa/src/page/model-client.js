// The page's handle on the Pyodide model worker. Created only after the service worker controls
// the page (so Pyodide's ~14 MB are fetched once, through the precache); the page never waits on it.
// The worker always ranks with the listener's current settings: `configure` is called whenever
// they change (onboarding picks included), even while Pyodide is still loading.
import { WorkerMessenger } from "../shared/messenger.js";

const DAY_MS = 86_400_000; // shared_model's day: a song heard within it is not offered again

/* global __MODEL_WORKER_URL__ */
const WORKER_URL = __MODEL_WORKER_URL__;
const HELD_TRACKS = 4000; // under the worker's own bound (shared_model/device.py MAX_HELD_TRACKS)

/** What a ranking reads of a track: everything but the score and reason a ranking gave it. */
const rankedBy = (track) => Object.keys(track).filter((key) => key !== "score" && key !== "reason");

/** Whether `track` is the one the worker holds as `held`: that object, or the queue's copy of
 *  it with a new score and reason (Queue.applyRanking), whose other fields are the same values. */
function sameTrack(held, track) {
  if (held === track) return true;
  if (!held) return false;
  const keys = rankedBy(track);
  return keys.length === rankedBy(held).length && keys.every((key) => held[key] === track[key]);
}

export class ModelClient extends EventTarget {
  constructor() {
    super();
    this.messenger = null;
    this.ready = false;
    this.status = "idle"; // idle | loading | ready | failed
    this.loadedAt = 0;
    this.settings = {};
    this.timings = null; // where the worker's start-up time went
    this.held = new Map(); // id -> the track object the worker holds (see rank)
  }

  #set(status, detail) {
    this.status = status;
    this.ready = status === "ready";
    this.dispatchEvent(new CustomEvent("status", { detail: { status, ...detail } }));
  }

  /** Create the worker: Pyodide starts loading at once, before any user data is known. */
  spawn() {
    this.messenger ??= new WorkerMessenger(new Worker(WORKER_URL, { type: "module", name: "encore-model" }));
    return this.messenger;
  }

  /** Load the user's snapshot (from /api/model, network first, else cache) with `settings`. */
  async start(settings) {
    this.settings = settings ?? this.settings;
    this.spawn();
    this.#set("loading");
    const started = performance.now();
    try {
      const snapshot = await fetch("/api/model", { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : null))
        .catch(() => null);
      // The settings as they are now: they may have changed while the snapshot was on its way.
      const info = await this.messenger.request("load", { snapshot, settings: this.settings });
      this.loadedAt = performance.now() - started;
      this.timings = info.timings ?? null;
      this.#set("ready", info);
    } catch (error) {
      this.#set("failed", { message: error.message });
      throw error;
    }
  }

  /** New settings for ranking and learning; safe to call before or during start(). */
  async configure(settings) {
    this.settings = settings;
    if (this.status === "loading" || this.status === "ready") {
      await this.messenger.request("configure", { settings });
    }
  }

  /** [{id, score, reason}] best first. The worker keeps the tracks it was sent: only new or
   *  changed ones (another track for an id, e.g. from a new feed; not the copies a ranking
   *  re-scored) cross over again. */
  /** `freshStart`: the listener started over a library they heard through: ranked as a day
   *  later would, so what was heard today is not held back (the server does the same). */
  async rank(candidates, limit, { freshStart = false } = {}) {
    const ids = candidates.map((t) => t.id);
    const now_ms = Date.now() + (freshStart ? DAY_MS : 0);
    let tracks = candidates.filter((t) => !sameTrack(this.held.get(t.id), t));
    let ranked = await this.messenger.request("rank", { tracks, ids, limit, now_ms });
    if (ranked?.missing) { // a restarted worker, or one that let old tracks go: send them all
      this.held.clear();
      tracks = candidates;
      ranked = await this.messenger.request("rank", { tracks, ids, limit, now_ms });
    }
    if (this.held.size + tracks.length > HELD_TRACKS) this.held.clear();
    for (const t of tracks) this.held.set(t.id, t);
    return ranked;
  }

  async learn(interaction, track) {
    return this.messenger.request("learn", { interaction, track });
  }

  /** One of the listener's corrections (forget, block, reset…): the next ranking honours it. */
  async correct(correction) {
    return this.messenger.request("correct", { correction });
  }

  /** Interactions recorded but maybe not in the snapshot (offline ones): replays are no-ops. */
  async learnMany(items) {
    return this.messenger.request("learn_many", { items });
  }
}
