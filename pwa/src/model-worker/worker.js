// The model worker: runs the repo's own shared_model in Pyodide, on-device. Pyodide is loaded
// once per worker from Encore's own server (precached by the service worker); shared_model comes
// as a zip built from the repo's source and is unpacked into Pyodide's file system. Every
// request goes to one Python object, shared_model.device.Device, by action name with a JSON
// payload: the same module the server and the benches rank through.
import { serve } from "../shared/messenger.js";

/* global __PYODIDE_URL__, __SHARED_MODEL_ZIP__ */
const PYODIDE_URL = __PYODIDE_URL__;
const SHARED_MODEL_ZIP = __SHARED_MODEL_ZIP__;
const PACKAGE_DIR = "/lib/encore";

// Where the start-up time goes (ms since the worker started), reported with "load".
const timings = {};
const since = performance.now();
const stamp = (name) => (timings[name] = Math.round(performance.now() - since));

async function start() {
  // A URL string the bundler leaves alone: Pyodide's loader is served as its own file.
  const { loadPyodide } = await import(/* @vite-ignore */ `${PYODIDE_URL}pyodide.mjs`);
  stamp("loader");
  const [pyodide, archive] = await Promise.all([
    loadPyodide({ indexURL: PYODIDE_URL, env: { PYTHONDONTWRITEBYTECODE: "1" } }).then((p) => {
      stamp("pyodide");
      return p;
    }),
    fetch(SHARED_MODEL_ZIP).then((r) => {
      if (!r.ok) throw new Error(`shared_model archive: HTTP ${r.status}`);
      return r.arrayBuffer();
    }).then((data) => {
      stamp("archive");
      return data;
    }),
  ]);
  pyodide.FS.mkdirTree(PACKAGE_DIR);
  pyodide.unpackArchive(archive, "zip", { extractDir: PACKAGE_DIR });
  pyodide.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(PACKAGE_DIR)})`);
  stamp("unpacked");
  const device = pyodide.pyimport("shared_model.device").Device();
  stamp("imported");
  return (action, payload) => JSON.parse(device.handle(action, JSON.stringify(payload ?? {})));
}

const ready = start();
ready.catch(() => {}); // reported through the first request

serve({
  /** {snapshot: object|null, settings: object} -> {interactions, source, timings} */
  async load(payload) {
    const call = await ready;
    const answer = call("load", payload);
    stamp("snapshot");
    return { ...answer, timings };
  },
  /** {settings} -> {interactions, source} */
  async configure(payload) {
    return (await ready)("configure", payload);
  },
  /** {candidates: Track[], limit, now_ms} -> [{id, score, reason}] best first */
  async rank({ candidates, limit, now_ms }) {
    return (await ready)("rank", { candidates, limit, now_ms: now_ms ?? Date.now() });
  },
  /** {interaction, track} -> {interactions} */
  async learn({ interaction, track }) {
    return (await ready)("learn", { interaction, track: track ?? null });
  },
  /** {items: [{interaction, track}]} -> {interactions}: replays are no-ops */
  async learn_many({ items }) {
    return (await ready)("learn_many", { items });
  },
  async ping() {
    await ready;
    return "ready";
  },
});
