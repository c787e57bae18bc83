// The model worker: runs the repo's own shared_model in Pyodide, on-device. Pyodide is loaded
// once per worker from Encore's own server (precached by the service worker); shared_model comes
// as a zip built from the repo's source and is unpacked into Pyodide's file system.
import { serve } from "../shared/messenger.js";
import { BRIDGE } from "./bridge.js";

/* global __PYODIDE_URL__, __SHARED_MODEL_ZIP__ */
const PYODIDE_URL = __PYODIDE_URL__;
const SHARED_MODEL_ZIP = __SHARED_MODEL_ZIP__;
const PACKAGE_DIR = "/lib/encore";

async function start() {
  // A URL string the bundler leaves alone: Pyodide's loader is served as its own file.
  const { loadPyodide } = await import(/* @vite-ignore */ `${PYODIDE_URL}pyodide.mjs`);
  const [pyodide, archive] = await Promise.all([
    loadPyodide({ indexURL: PYODIDE_URL, env: { PYTHONDONTWRITEBYTECODE: "1" } }),
    fetch(SHARED_MODEL_ZIP).then((r) => {
      if (!r.ok) throw new Error(`shared_model archive: HTTP ${r.status}`);
      return r.arrayBuffer();
    }),
  ]);
  pyodide.FS.mkdirTree(PACKAGE_DIR);
  pyodide.unpackArchive(archive, "zip", { extractDir: PACKAGE_DIR });
  pyodide.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(PACKAGE_DIR)})`);
  pyodide.runPython(BRIDGE);
  const bridge = pyodide.globals.get("encore_bridge");
  return (name, ...args) => bridge[name](...args);
}

const ready = start();
ready.catch(() => {}); // reported through the first request

serve({
  /** {snapshot: object|null, settings: object} -> {interactions, source} */
  async load({ snapshot, settings }) {
    const call = await ready;
    return JSON.parse(call("load", JSON.stringify(snapshot ?? null), JSON.stringify(settings ?? {})));
  },
  /** {candidates: Track[], limit, now_ms} -> [{id, score, reason}] best first */
  async rank({ candidates, limit, now_ms }) {
    const call = await ready;
    return JSON.parse(call("rank", JSON.stringify(candidates), limit, now_ms ?? Date.now()));
  },
  /** {interaction, track} -> {interactions} */
  async learn({ interaction, track }) {
    const call = await ready;
    return JSON.parse(call("learn", JSON.stringify(interaction), JSON.stringify(track ?? null)));
  },
  async ping() {
    await ready;
    return "ready";
  },
});
