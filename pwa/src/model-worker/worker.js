// The model worker: runs the repo's own shared_model in Pyodide, on-device. Pyodide is loaded
// once per worker from Encore's own server (precached by the service worker); shared_model comes
// as a zip built from the repo's source and is unpacked into Pyodide's file system. Every
// request goes to one Python object, shared_model.device.Device, by action name with a JSON
// payload: the same module the server and the benches rank through.
//
// Start-up: almost all of a cold start (seconds) is the Python interpreter initialising inside
// WebAssembly. So the first start saves Pyodide's memory right after `import shared_model.device`
// (before any user data reaches Python) in the Cache Storage, and later starts restore it instead
// of initialising again. The snapshot is keyed by the Pyodide version and the archive's content
// hash; a missing, stale or unreadable one means a normal start (and a fresh snapshot).
import { serve } from "../shared/messenger.js";
import { SNAPSHOT_CACHE } from "../shared/protocol.js";

/* global __PYODIDE_URL__, __SHARED_MODEL_ZIP__ */
const PYODIDE_URL = __PYODIDE_URL__;
const SHARED_MODEL_ZIP = __SHARED_MODEL_ZIP__;
const PACKAGE_DIR = "/lib/encore";
const SNAPSHOT_KEY = `${SHARED_MODEL_ZIP}.snapshot?pyodide=${encodeURIComponent(PYODIDE_URL)}`;
const OPTIONS = { indexURL: PYODIDE_URL, env: { PYTHONDONTWRITEBYTECODE: "1" } };

// Where the start-up time goes (ms since the worker started), reported with "load".
const timings = {};
const since = performance.now();
const stamp = (name) => (timings[name] = Math.round(performance.now() - since));

async function fetchArchive() {
  const response = await fetch(SHARED_MODEL_ZIP);
  if (!response.ok) throw new Error(`shared_model archive: HTTP ${response.status}`);
  const data = await response.arrayBuffer();
  stamp("archive");
  return data;
}

function unpack(pyodide, archive) {
  pyodide.FS.mkdirTree(PACKAGE_DIR);
  pyodide.unpackArchive(archive, "zip", { extractDir: PACKAGE_DIR });
  stamp("unpacked");
}

async function savedSnapshot() {
  try {
    const response = await (await caches.open(SNAPSHOT_CACHE)).match(SNAPSHOT_KEY);
    return response ? new Uint8Array(await response.arrayBuffer()) : null;
  } catch {
    return null; // no Cache Storage here (or it failed): start the long way
  }
}

async function saveSnapshot(bytes) {
  try {
    const cache = await caches.open(SNAPSHOT_CACHE);
    for (const old of await cache.keys()) await cache.delete(old); // one version kept
    await cache.put(SNAPSHOT_KEY, new Response(bytes, { headers: { "Content-Type": "application/octet-stream" } }));
  } catch (error) {
    console.warn("model snapshot not saved", error);
  }
}

async function dropSnapshot() {
  try {
    await (await caches.open(SNAPSHOT_CACHE)).delete(SNAPSHOT_KEY);
  } catch {
    /* nothing to drop */
  }
}

/** Restore Pyodide from the saved memory: the interpreter and shared_model already imported. */
async function warmStart(loadPyodide, saved, archive) {
  const pyodide = await loadPyodide({ ...OPTIONS, _loadSnapshot: saved });
  stamp("pyodide");
  unpack(pyodide, await archive); // the files too, for anything imported later
  timings.start = "snapshot";
  return pyodide;
}

async function coldStart(loadPyodide, archive) {
  const pyodide = await loadPyodide({ ...OPTIONS, _makeSnapshot: true });
  stamp("pyodide");
  unpack(pyodide, await archive);
  pyodide.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(PACKAGE_DIR)}); import shared_model.device`);
  stamp("imported");
  try {
    // Before any user data or JS proxy exists; stored while the listener's model loads.
    saveSnapshot(pyodide.makeMemorySnapshot());
  } catch (error) {
    console.warn("model snapshot not made", error);
  }
  timings.start = "cold";
  return pyodide;
}

async function start() {
  // A URL string the bundler leaves alone: Pyodide's loader is served as its own file.
  const [{ loadPyodide }, saved] = await Promise.all([
    import(/* @vite-ignore */ `${PYODIDE_URL}pyodide.mjs`),
    savedSnapshot(),
  ]);
  stamp("loader");
  const archive = fetchArchive();
  archive.catch(() => {});
  let pyodide = null;
  if (saved) {
    try {
      pyodide = await warmStart(loadPyodide, saved, archive);
    } catch (error) {
      console.warn("model snapshot unusable; starting afresh", error);
      await dropSnapshot();
    }
  }
  pyodide ??= await coldStart(loadPyodide, archive);
  const device = pyodide.pyimport("shared_model.device").Device();
  stamp("imported");
  const call = (action, payload) => JSON.parse(device.handle(action, JSON.stringify(payload ?? {})));
  return call;
}

const ready = start();
ready.catch(() => {}); // reported through the first request

serve({
  /** {snapshot: object|null, settings: object} -> {interactions, source, timings} */
  async load(payload) {
    const answer = (await ready)("load", payload);
    stamp("loaded");
    return { ...answer, timings };
  },
  /** {settings} -> {interactions, source} */
  async configure(payload) {
    return (await ready)("configure", payload);
  },
  /** {tracks: Track[] (new or changed), ids: the candidates in order, limit, now_ms}
   *  -> [{id, score, reason}] best first, or {missing: ids} when some were never sent */
  async rank(payload) {
    return (await ready)("rank", { ...payload, now_ms: payload.now_ms ?? Date.now() });
  },
  /** {interaction, track} -> {interactions} */
  async learn({ interaction, track }) {
    return (await ready)("learn", { interaction, track: track ?? null });
  },
  /** {items: [{interaction, track}]} -> {interactions}: replays are no-ops */
  async learn_many({ items }) {
    return (await ready)("learn_many", { items });
  },
  /** {correction: {id, kind, target, at}} -> {interactions}: shared_model/taste.py */
  async correct({ correction }) {
    return (await ready)("correct", { correction });
  },
  async ping() {
    await ready;
    return "ready";
  },
});
