// Encore's one build step (`npm run build`): bundles the page, the model worker and the service
// worker with esbuild, copies Pyodide's core from node_modules, packages the repo's shared_model
// into a zip, draws the icons, and lets workbox-build inject the precache manifest (with revisions)
// into the service worker. Output: pwa/dist/, served by backend/blueprints/static.py.
import { createHash } from "node:crypto";
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { injectManifest } from "workbox-build";
import { encoreIcon } from "./png.mjs";
import { zip } from "./zip.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PWA = path.join(ROOT, "pwa");
const DIST = path.join(PWA, "dist");
const PYODIDE_SRC = path.join(ROOT, "node_modules", "pyodide");
const PYODIDE_VERSION = JSON.parse(await readFile(path.join(PYODIDE_SRC, "package.json"), "utf8")).version;
// What loadPyodide fetches for a pure-Python app: the loader, the Emscripten module, the wasm,
// the standard library and the lock file (read at start even when no package is loaded).
const PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"];
const PYODIDE_URL = `/vendor/pyodide/${PYODIDE_VERSION}/`; // versioned path: safe to cache as immutable
const HASHED = /-[A-Za-z0-9]{8,}\.\w+$/;

const shortHash = (data) => createHash("sha256").update(data).digest("hex").slice(0, 12);

async function packSharedModel() {
  const dir = path.join(ROOT, "shared_model");
  const names = (await readdir(dir)).filter((n) => n.endsWith(".py")).sort();
  const files = await Promise.all(
    names.map(async (name) => ({ name: `shared_model/${name}`, data: await readFile(path.join(dir, name)) })),
  );
  const archive = zip(files);
  const name = `pkg/shared_model-${shortHash(archive)}.zip`;
  await mkdir(path.join(DIST, "pkg"), { recursive: true });
  await writeFile(path.join(DIST, name), archive);
  return `/${name}`;
}

async function copyPyodide() {
  const target = path.join(DIST, PYODIDE_URL);
  await mkdir(target, { recursive: true });
  await Promise.all(PYODIDE_FILES.map((f) => copyFile(path.join(PYODIDE_SRC, f), path.join(target, f))));
}

async function drawIcons() {
  await mkdir(path.join(DIST, "icons"), { recursive: true });
  await writeFile(path.join(DIST, "icons", "icon-192.png"), encoreIcon(192));
  await writeFile(path.join(DIST, "icons", "icon-512.png"), encoreIcon(512));
  await writeFile(path.join(DIST, "icons", "maskable-512.png"), encoreIcon(512, { maskable: true }));
}

/** Bundle one entry point to assets/<name>-<hash>.<ext>; returns its URL. */
async function bundle(entry, name, define = {}, format = "esm") {
  const result = await esbuild.build({
    entryPoints: { [name]: entry },
    bundle: true,
    format,
    target: "es2022",
    minify: true,
    sourcemap: false,
    outdir: path.join(DIST, "assets"),
    entryNames: "[name]-[hash]",
    metafile: true,
    define: Object.fromEntries(Object.entries(define).map(([k, v]) => [k, JSON.stringify(v)])),
    logLevel: "warning",
  });
  const outputs = Object.keys(result.metafile.outputs).filter((o) => o.endsWith(".js") || o.endsWith(".css"));
  return outputs.map((o) => "/" + path.relative(DIST, path.resolve(ROOT, o)).split(path.sep).join("/"));
}

async function buildServiceWorker() {
  const temp = path.join(DIST, ".sw-bundle.js");
  await esbuild.build({
    entryPoints: [path.join(ROOT, "service-worker", "sw.js")],
    bundle: true,
    format: "iife",
    target: "es2022",
    minify: true,
    outfile: temp,
    define: { "process.env.NODE_ENV": process.env.ENCORE_SW_DEBUG ? '"development"' : '"production"' },
    logLevel: "warning",
  });
  const { count, size, warnings } = await injectManifest({
    swSrc: temp,
    swDest: path.join(DIST, "sw.js"),
    globDirectory: DIST,
    globPatterns: ["index.html", "manifest.webmanifest", "icons/*.png", "assets/*.{js,css}", "vendor/**/*", "pkg/*.zip"],
    // Content-hashed and versioned paths already change when their content does.
    dontCacheBustURLsMatching: /(-[A-Za-z0-9_-]{8,}\.\w+$)|(^vendor\/)/,
    maximumFileSizeToCacheInBytes: 32 * 1024 * 1024,
  });
  await rm(temp);
  for (const w of warnings) console.warn(w);
  return { count, size };
}

async function main() {
  const started = Date.now();
  await rm(DIST, { recursive: true, force: true });
  await mkdir(DIST, { recursive: true });
  const [sharedModelUrl] = await Promise.all([packSharedModel(), copyPyodide(), drawIcons()]);
  const [workerUrl] = await bundle(path.join(PWA, "src", "model-worker", "worker.js"), "model-worker", {
    __PYODIDE_URL__: PYODIDE_URL,
    __SHARED_MODEL_ZIP__: sharedModelUrl,
  });
  const [appJs] = await bundle(path.join(PWA, "src", "page", "main.js"), "app", { __MODEL_WORKER_URL__: workerUrl });
  const [appCss] = await bundle(path.join(PWA, "src", "styles", "app.css"), "app");
  // a classic script (it runs as the head is read, before the page's module)
  const [preloadJs] = await bundle(path.join(PWA, "src", "page", "preload.js"), "preload", {}, "iife");
  const html = (await readFile(path.join(PWA, "index.html"), "utf8"))
    .replace("/assets/preload.js", preloadJs)
    .replace("/assets/app.js", appJs)
    .replace("/assets/app.css", appCss);
  await writeFile(path.join(DIST, "index.html"), html);
  await copyFile(path.join(PWA, "manifest.webmanifest"), path.join(DIST, "manifest.webmanifest"));
  const { count, size } = await buildServiceWorker();
  for (const url of [workerUrl, appJs, appCss, preloadJs, sharedModelUrl]) {
    if (!HASHED.test(url)) throw new Error(`expected a content-hashed name: ${url}`);
  }
  console.log(
    `pwa/dist built in ${Date.now() - started} ms: ${count} precached files, ${(size / 1e6).toFixed(1)} MB` +
      ` (pyodide ${PYODIDE_VERSION}, ${sharedModelUrl})`,
  );
}

await main();
