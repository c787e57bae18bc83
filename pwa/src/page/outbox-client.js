// The page's side of the outbox: records interactions (IndexedDB first), flushes them on start,
// on `online`, shortly after each new one, and asks the service worker for a Background Sync.
// Failures back off exponentially with jitter.
import { sessionEnded } from "./api.js";
import { connectivity } from "./connectivity.js";
import * as outbox from "../shared/outbox.js";
import { SYNC_TAG } from "../shared/protocol.js";

const DEBOUNCE_MS = 400;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 15000;

export class OutboxClient extends EventTarget {
  constructor() {
    super();
    this.timer = null;
    this.failures = 0;
    this.counts = { pending: 0, failed: 0 };
    this.flushing = null;
    this.userSet = Promise.resolve(); // the signed-in user is written down (setUser)
    addEventListener("online", () => this.flushSoon(0));
    try {
      new BroadcastChannel(outbox.CHANNEL).onmessage = () => this.refresh();
    } catch {
      /* counts refresh after our own flushes */
    }
  }

  /** Whose outbox this is from now on. Everything here waits for it to be written down (an
   *  IndexedDB write, slow on a first visit), so the page need not: its first view does not. */
  setUser(username) {
    this.userSet = outbox.setCurrentUser(username);
    return this.userSet.then(async () => {
      await this.refresh();
      if (username) this.flushSoon(0);
    });
  }

  async record(interaction, track = null) {
    await this.userSet;
    await outbox.addInteraction(interaction, await outbox.currentUser(), track);
    await this.refresh();
    this.#requestSync();
    this.flushSoon(DEBOUNCE_MS);
  }

  async refresh() {
    await this.userSet;
    const [pending, failed] = await Promise.all([outbox.pending(), outbox.failed()]);
    this.counts = { pending: pending.length, failed: failed.length };
    this.dispatchEvent(new CustomEvent("change", { detail: { ...this.counts, pendingRows: pending, failedRows: failed } }));
    return this.counts;
  }

  async pending() {
    await this.userSet;
    return outbox.pending();
  }

  async failed() {
    await this.userSet;
    return outbox.failed();
  }

  async retryFailed() {
    await this.userSet;
    await outbox.retryFailed();
    await this.refresh();
    this.failures = 0;
    this.flushSoon(0);
  }

  flushSoon(delay) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), delay);
  }

  async flush() {
    if (this.flushing) return this.flushing;
    this.flushing = (async () => {
      try {
        await this.userSet;
        const { sent } = await outbox.flush();
        if (sent > 0) connectivity.reached();
        this.failures = 0;
      } catch (error) {
        if (!(error instanceof outbox.RetryLater)) console.error("outbox flush", error);
        else if (error.message.startsWith("network")) connectivity.unreachable();
        else if (error.status === 401) sessionEnded(); // kept for when they sign in again
        this.failures += 1;
        const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (this.failures - 1));
        this.flushSoon(ceiling / 2 + Math.random() * ceiling / 2); // "equal jitter"
        this.#requestSync();
      } finally {
        this.flushing = null;
        await this.refresh();
      }
    })();
    return this.flushing;
  }

  async #requestSync() {
    try {
      const registration = await navigator.serviceWorker?.ready;
      await registration?.sync?.register(SYNC_TAG);
    } catch {
      /* Background Sync unsupported or denied: the page's own flushes still run */
    }
  }
}
