// The interaction outbox, shared by the page and the service worker. Every interaction is written
// to IndexedDB first; it leaves only when the server acknowledged its id (in `accepted` or
// `duplicates`). Network errors, 401 and 5xx keep it; another 4xx moves it to the failed list.
import { openDB } from "idb";
import { OUTBOX_CHANNEL } from "./protocol.js";

const DB_NAME = "encore";
const OUTBOX = "outbox";
const FAILED = "failed";
const META = "meta";
const BATCH = 200; // the API takes 1..500 per request
export const CHANNEL = OUTBOX_CHANNEL;

let dbPromise;
function db() {
  dbPromise ??= openDB(DB_NAME, 1, {
    upgrade(database) {
      database.createObjectStore(OUTBOX, { keyPath: "id" }).createIndex("user", "user");
      database.createObjectStore(FAILED, { keyPath: "id" }).createIndex("user", "user");
      database.createObjectStore(META);
    },
  });
  return dbPromise;
}

function announce() {
  try {
    const channel = new BroadcastChannel(CHANNEL);
    channel.postMessage({ type: "changed" });
    channel.close();
  } catch {
    /* BroadcastChannel missing: the page refreshes its counts on its own events */
  }
}

/** Who is signed in (so interactions are only ever sent under their own session). */
export async function setCurrentUser(username) {
  const d = await db();
  if (username) await d.put(META, username, "user");
  else await Promise.all([d.delete(META, "user"), d.delete(META, "now-playing")]); // signed out: their song goes too
}

export async function currentUser() {
  return (await db()).get(META, "user");
}

/** The song a signed-in listener was on, and where: `{user, track, position_ms, heard_ms}`
 *  (null forgets it). Kept beside the signed-in user, since it is theirs alone. */
export async function setNowPlaying(state) {
  const tx = (await db()).transaction(META, "readwrite");
  if (state) tx.store.put(state, "now-playing");
  else tx.store.delete("now-playing");
  tx.commit(); // at once: written as the page goes away (pagehide), it must not wait for a later task
  await tx.done;
}

/** What `setNowPlaying` kept for `user` (another user's song is never theirs). */
export async function nowPlaying(user) {
  const state = await (await db()).get(META, "now-playing");
  return state && state.user === user ? state : null;
}

/** Store one interaction; resolves once it is durably in IndexedDB. The track rides along
 *  (never sent): the settings page names it, and the on-device model relearns from it after a
 *  reload while the server has not seen the interaction yet. */
export async function addInteraction(interaction, user, track = null) {
  await (await db()).put(OUTBOX, { ...interaction, user, track });
  announce();
}

/** What the server gets: the interaction alone. */
export const strip = ({ user, error, track, ...interaction }) => interaction;

export async function pending(user) {
  const rows = await (await db()).getAllFromIndex(OUTBOX, "user", user ?? (await currentUser()) ?? "");
  return rows.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
}

export async function failed(user) {
  return (await db()).getAllFromIndex(FAILED, "user", user ?? (await currentUser()) ?? "");
}

/** Move failed interactions back into the outbox for another try. */
export async function retryFailed(user) {
  const d = await db();
  const rows = await failed(user);
  const tx = d.transaction([OUTBOX, FAILED], "readwrite");
  for (const row of rows) {
    const { error, ...kept } = row;
    tx.objectStore(OUTBOX).put(kept);
    tx.objectStore(FAILED).delete(row.id);
  }
  await tx.done;
  announce();
  return rows.length;
}

export class RetryLater extends Error {
  constructor(message, status = 0) {
    super(message);
    this.status = status; // the HTTP status (0: no answer)
  }
}

async function post(interactions, fetchImpl) {
  let response;
  try {
    response = await fetchImpl("/api/interactions", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Requested-With": "encore" },
      body: JSON.stringify({ interactions: interactions.map(strip) }),
    });
  } catch (error) {
    throw new RetryLater(`network: ${error.message}`);
  }
  if (response.ok) return { ok: true, body: await response.json() };
  if (response.status >= 500 || response.status === 401 || response.status === 429 || response.status === 408) {
    throw new RetryLater(`HTTP ${response.status}`, response.status);
  }
  let message = `HTTP ${response.status}`;
  try {
    message = (await response.json()).error?.message ?? message;
  } catch {
    /* not JSON */
  }
  return { ok: false, message };
}

async function acknowledge(ids) {
  const tx = (await db()).transaction(OUTBOX, "readwrite");
  for (const id of ids) tx.store.delete(id);
  await tx.done;
}

async function moveToFailed(row, message) {
  const tx = (await db()).transaction([OUTBOX, FAILED], "readwrite");
  tx.objectStore(FAILED).put({ ...row, error: message });
  tx.objectStore(OUTBOX).delete(row.id);
  await tx.done;
}

async function sendBatch(rows, fetchImpl) {
  const answer = await post(rows, fetchImpl);
  if (answer.ok) {
    await acknowledge([...(answer.body.accepted ?? []), ...(answer.body.duplicates ?? [])]);
    return;
  }
  if (rows.length === 1) {
    await moveToFailed(rows[0], answer.message);
    return;
  }
  // A 4xx for a batch: find the bad ones by sending one at a time.
  for (const row of rows) await sendBatch([row], fetchImpl);
}

async function flushUnlocked(fetchImpl) {
  const user = await currentUser();
  if (!user) return { sent: 0, remaining: 0 };
  let rows = await pending(user);
  const before = rows.length;
  try {
    for (let i = 0; i < rows.length; i += BATCH) await sendBatch(rows.slice(i, i + BATCH), fetchImpl);
  } finally {
    rows = await pending(user);
    if (rows.length !== before) announce();
  }
  return { sent: before - rows.length, remaining: rows.length };
}

/** Send everything pending for the signed-in user. Throws RetryLater when the server or the
 *  network is not taking interactions right now (the caller backs off). One flush at a time
 *  across the page and the service worker (Web Locks), so nothing is sent twice concurrently. */
export async function flush(fetchImpl = fetch) {
  const locks = globalThis.navigator?.locks;
  if (!locks) return flushUnlocked(fetchImpl);
  return locks.request("encore-outbox-flush", () => flushUnlocked(fetchImpl));
}
