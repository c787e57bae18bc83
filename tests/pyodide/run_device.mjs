// Runs shared_model.device.Device the way Encore's model worker does, under Node: Pyodide, the
// shared_model zip the build ships (unpacked into the same directory), and one JSON call per
// action through Device.handle.
// Usage: node run_device.mjs <shared_model zip> <calls.json>
//   calls.json: [[action, payload], ...] -> prints the JSON answers, one per call, as a list.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadPyodide } from "pyodide";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PACKAGE_DIR = "/lib/encore"; // as in pwa/src/model-worker/worker.js

const pyodide = await loadPyodide({ indexURL: join(root, "node_modules", "pyodide") });
pyodide.FS.mkdirTree(PACKAGE_DIR);
pyodide.unpackArchive(new Uint8Array(readFileSync(process.argv[2])), "zip", { extractDir: PACKAGE_DIR });
pyodide.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(PACKAGE_DIR)})`);
const device = pyodide.pyimport("shared_model.device").Device();
const python = pyodide.runPython("import sys; sys.version.split()[0]");
const answers = JSON.parse(readFileSync(process.argv[3], "utf8")).map(
  ([action, payload]) => device.handle(action, JSON.stringify(payload)),
);
process.stdout.write(JSON.stringify({ python, answers }));
