// The listener's edits outside listening itself — playlists, unlikes, taste corrections — go
// through their own outbox, as interactions do: written to IndexedDB first, sent in order, kept
// until the server answers, retried when the server is back. A playlist's new track list is sent
// with the version it was edited from (If-Match); when another device changed it meanwhile (412),
// additions and removals merge on their own and a reorder asks the listener what to keep.
import { openDB } from "idb";

const DB = "encore-edits";
const STORE = "edits";
const RETRY_MS = [1000, 3000, 10000, 30000];

let dbPromise;
function db() {
  dbPromise ??= openDB(DB, 1, {
    upgrade(database) {
      database.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true }).createIndex("user", "user");
    },
  });
  return dbPromise;
}

/** Counted occurrences: [a, b, a] -> Map{a: 2, b: 1}. */
function counts(ids) {
  const found = new Map();
  for (const id of ids) found.set(id, (found.get(id) ?? 0) + 1);
  return found;
}

/** `ids` without one occurrence of each id counted in `drop`. */
function without(ids, drop) {
  const left = new Map(drop);
  return ids.filter((id) => {
    const n = left.get(id) ?? 0;
    if (n > 0) left.set(id, n - 1);
    return n === 0;
  });
}

/** What `to` adds to and removes from `from` (occurrences counted). */
export function changes(from, to) {
  return { added: without(to, counts(from)), removed: without(from, counts(to)) };
}

/** Did `mine` only add and remove (the tracks it kept are in `base`'s order)? */
export function onlyAddsAndRemoves(base, mine) {
  const kept = without(mine, counts(changes(base, mine).added));
  const baseKept = without(base, counts(changes(base, mine).removed));
  return kept.join("\n") === baseKept.join("\n");
}

/** Their list, with my removals taken out and my additions at the end. */
export function merged(base, mine, theirs) {
  const { added, removed } = changes(base, mine);
  return [...without(theirs, counts(removed)), ...added];
}

/** My order, with what they removed taken out and what they added at the end. */
export function mergedKeepingMyOrder(base, mine, theirs) {
  const { added, removed } = changes(base, theirs);
  return [...without(mine, counts(removed)), ...added];
}

export class Edits extends EventTarget {
  /** @param {{user: () => string|null, send: (edit) => Promise<Response>, ask: (conflict) => Promise<string>}} deps */
  constructor({ user, send, ask }) {
    super();
    this.user = user;
    this.send = send; // (method, path, body, headers) -> fetch Response (throws offline)
    this.ask = ask; // ({edit, current}) -> "merge" | "mine" | "theirs"
    this.flushing = null;
    this.again = false;
    this.failures = 0;
    this.timer = null;
    addEventListener("online", () => this.flushSoon(0));
  }

  /** Keep an edit (durably) and try to send it. Resolves once it is stored, not sent. */
  async add(edit) {
    const user = this.user();
    if (!user) return;
    await (await db()).add(STORE, { ...edit, user, at: edit.at ?? Date.now() });
    this.dispatchEvent(new Event("change"));
    this.flushSoon(0);
  }

  async pending() {
    const user = this.user();
    return user ? (await db()).getAllFromIndex(STORE, "user", user) : [];
  }

  flushSoon(delay) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush().catch(() => {}), delay);
  }

  /** Send now and wait: true once nothing is left to send, false when the network failed. */
  async drain() {
    for (let round = 0; round < 3; round += 1) {
      await (this.flushing ?? this.flush()); // a flush under way may have begun before the last add
      if (!(await this.pending()).length) return true;
      if (this.failures) return false;
    }
    return false;
  }

  /** Send what is pending, oldest first; stop at the first that must wait for the network. */
  async flush() {
    if (this.flushing) {
      this.again = true; // added while a flush was under way: it read the list before this one
      return this.flushing;
    }
    this.flushing = (async () => {
      try {
        for (const edit of (await this.pending()).sort((a, b) => a.seq - b.seq)) {
          const done = await this.#sendOne(edit);
          if (!done) {
            this.failures += 1;
            this.flushSoon(RETRY_MS[Math.min(this.failures, RETRY_MS.length) - 1]);
            return;
          }
          await (await db()).delete(STORE, edit.seq);
          this.dispatchEvent(new CustomEvent("sent", { detail: edit }));
        }
        this.failures = 0;
      } finally {
        this.flushing = null;
        if (this.again && !this.failures) this.flushSoon(0);
        this.again = false;
        this.dispatchEvent(new Event("change"));
      }
    })();
    return this.flushing;
  }

  /** True when the edit is settled (applied, merged, or refused for good). */
  async #sendOne(edit) {
    let response;
    try {
      response = await this.send(edit.method, edit.path, edit.body, edit.ifMatch ? { "If-Match": `"${edit.ifMatch}"` } : {});
    } catch {
      return false; // offline: keep it
    }
    if (response.ok || (response.status === 404 && edit.method === "DELETE")) return true;
    if (response.status >= 500 || response.status === 429 || response.status === 401 || response.status === 408) return false;
    if (response.status === 412 && edit.kind === "playlist-tracks") return this.#resolve(edit, await response.json());
    const message = (await response.json().catch(() => null))?.error?.message ?? `HTTP ${response.status}`;
    this.dispatchEvent(new CustomEvent("refused", { detail: { edit, message } }));
    return true; // a 4xx will not get better by sending it again
  }

  /** Another device changed the playlist: merge what commutes, ask about a reorder. */
  async #resolve(edit, answer) {
    const current = answer.current;
    const { base, mine } = edit.merge;
    if (current.track_ids.join("\n") === mine.join("\n")) { // already there: this very edit
      // was applied before its answer arrived (the page closed or reloaded in between)
      this.dispatchEvent(new CustomEvent("resolved", { detail: { edit, choice: "mine", track_ids: mine } }));
      return true;
    }
    let choice = "merge";
    if (current.track_ids.join("\n") === base.join("\n")) choice = "mine"; // only our own earlier edit
    else if (!onlyAddsAndRemoves(base, mine)) choice = await this.ask({ edit, current });
    if (choice === "theirs") {
      this.dispatchEvent(new CustomEvent("resolved", { detail: { edit, choice, track_ids: current.track_ids } }));
      return true;
    }
    const trackIds = choice === "mine" ? mergedKeepingMyOrder(base, mine, current.track_ids)
      : merged(base, mine, current.track_ids);
    const next = { ...edit, ifMatch: current.version, body: { track_ids: trackIds }, merge: { base: current.track_ids, mine: trackIds } };
    const settled = await this.#sendOne(next);
    if (settled) this.dispatchEvent(new CustomEvent("resolved", { detail: { edit, choice, track_ids: trackIds } }));
    return settled;
  }
}
