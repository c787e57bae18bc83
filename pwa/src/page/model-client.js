// The page's handle on the Pyodide model worker. Created only after the service worker controls
// the page (so Pyodide's ~14 MB are fetched once, through the precache); the page never waits on it.
import { WorkerMessenger } from "../shared/messenger.js";

/* global __MODEL_WORKER_URL__ */
const WORKER_URL = __MODEL_WORKER_URL__;

export class ModelClient extends EventTarget {
  constructor() {
    super();
    this.messenger = null;
    this.ready = false;
    this.status = "idle"; // idle | loading | ready | failed
    this.loadedAt = 0;
  }

  #set(status, detail) {
    this.status = status;
    this.ready = status === "ready";
    this.dispatchEvent(new CustomEvent("status", { detail: { status, ...detail } }));
  }

  /** Start the worker and load the user's snapshot (from /api/model, network first, else cache). */
  async start(settings) {
    if (!this.messenger) {
      this.messenger = new WorkerMessenger(new Worker(WORKER_URL, { type: "module", name: "encore-model" }));
    }
    this.#set("loading");
    const started = performance.now();
    try {
      const snapshot = await fetch("/api/model", { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : null))
        .catch(() => null);
      const info = await this.messenger.request("load", { snapshot, settings });
      this.loadedAt = performance.now() - started;
      this.#set("ready", info);
    } catch (error) {
      this.#set("failed", { message: error.message });
      throw error;
    }
  }

  async rank(candidates, limit) {
    return this.messenger.request("rank", { candidates, limit, now_ms: Date.now() });
  }

  async learn(interaction, track) {
    return this.messenger.request("learn", { interaction, track });
  }
}
