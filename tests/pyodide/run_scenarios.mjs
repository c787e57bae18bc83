// Runs tests/pyodide/scenario.py over the real shared_model sources inside Pyodide (Node).
// Usage: node run_scenarios.mjs <scenarios.json> [run_all|bench_all]
//   -> prints the results of encore_scenario.<entry>(scenarios) as JSON on stdout.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadPyodide } from "pyodide";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const pyodide = await loadPyodide({ indexURL: join(root, "node_modules", "pyodide") });

// Put the package where the worker would: a directory on sys.path in the virtual FS.
const base = "/home/pyodide/encore";
pyodide.FS.mkdirTree(`${base}/shared_model`);
for (const name of readdirSync(join(root, "shared_model"))) {
  if (name.endsWith(".py")) {
    pyodide.FS.writeFile(`${base}/shared_model/${name}`,
      readFileSync(join(root, "shared_model", name), "utf8"));
  }
}
pyodide.FS.writeFile(`${base}/encore_scenario.py`, readFileSync(join(here, "scenario.py"), "utf8"));

const entry = process.argv[3] ?? "run_all";
if (!["run_all", "bench_all"].includes(entry)) throw new Error(`unknown entry ${entry}`);
pyodide.globals.set("SCENARIOS_JSON", readFileSync(process.argv[2], "utf8"));
const out = pyodide.runPython(`
import sys
sys.path.insert(0, "${base}")
import encore_scenario
encore_scenario.${entry}(SCENARIOS_JSON)
`);
process.stdout.write(out);
