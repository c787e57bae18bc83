// Can Encore's server be reached? `navigator.onLine` only says there is a network; requests that
// fail while it says "online" (the server down, a dead Wi-Fi, a cut line) count as offline too,
// until a probe of /healthz answers again. The banner, the queue order (saved tracks first) and
// the player's messages all read this one state.

const PROBE_MIN_MS = 2000;
const PROBE_MAX_MS = 30000;

class Connectivity extends EventTarget {
  constructor() {
    super();
    this.browserOnline = globalThis.navigator?.onLine ?? true;
    this.serverReachable = true;
    this.timer = null;
    this.delay = PROBE_MIN_MS;
    addEventListener("online", () => {
      this.browserOnline = true;
      this.#changed();
      this.probe();
    });
    addEventListener("offline", () => {
      this.browserOnline = false;
      this.#changed();
    });
  }

  /** The server can be reached right now (as far as the page knows). */
  get online() {
    return this.browserOnline && this.serverReachable;
  }

  /** An answer came from the server itself. */
  reached() {
    clearTimeout(this.timer);
    this.timer = null;
    this.delay = PROBE_MIN_MS;
    if (!this.serverReachable) {
      this.serverReachable = true;
      this.#changed();
    }
  }

  /** A request could not reach the server: offline until a probe says otherwise. */
  unreachable() {
    if (this.serverReachable) {
      this.serverReachable = false;
      this.#changed();
    }
    this.#scheduleProbe();
  }

  async probe() {
    try {
      const answer = await fetch("/healthz", { cache: "no-store", credentials: "omit" });
      if (answer.ok) return this.reached();
    } catch {
      /* still unreachable */
    }
    if (!this.serverReachable) this.#scheduleProbe();
    return undefined;
  }

  #scheduleProbe() {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.delay = Math.min(PROBE_MAX_MS, this.delay * 2);
      this.probe();
    }, this.delay);
  }

  #changed() {
    this.dispatchEvent(new CustomEvent("change", { detail: { online: this.online, browserOnline: this.browserOnline } }));
  }
}

export const connectivity = new Connectivity();
