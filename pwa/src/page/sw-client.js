// Service worker registration through workbox-window: an update waits until the listener says
// "reload" (never a silent takeover mid-song); the model worker starts once a SW controls the page.
import { Workbox } from "workbox-window";
import { AUDIO_CACHE, USER_DATA_CACHES } from "../shared/protocol.js";

export function registerServiceWorker({ onUpdate }) {
  if (!("serviceWorker" in navigator)) return null;
  const wb = new Workbox("/sw.js", { scope: "/" });
  wb.addEventListener("waiting", () => {
    onUpdate(() => {
      wb.addEventListener("controlling", () => location.reload());
      wb.messageSkipWaiting();
    });
  });
  wb.register().catch((error) => console.warn("service worker registration failed", error));
  return wb;
}

/** Resolves once a service worker controls this page (or after `timeoutMs` without one). */
export function whenControlled(timeoutMs = 15000) {
  if (!("serviceWorker" in navigator) || navigator.serviceWorker.controller) return Promise.resolve(Boolean(navigator.serviceWorker?.controller));
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      clearTimeout(timer);
      resolve(true);
    }, { once: true });
  });
}

/** Hand answers fetched before the service worker took control to its offline cache. */
export function cacheUserData(entries) {
  navigator.serviceWorker?.controller?.postMessage({ type: "CACHE_USER_DATA", entries });
}

/** Tell the service worker to forget this user's cached answers (logout). */
export async function clearUserCaches() {
  navigator.serviceWorker?.controller?.postMessage({ type: "CLEAR_USER_DATA" });
  await Promise.all(USER_DATA_CACHES.map((name) => caches.delete(name)));
}

/** Track ids whose audio is in the offline cache. */
export async function offlineTrackIds() {
  const ids = new Set();
  if (!("caches" in globalThis)) return ids;
  if (!(await caches.has(AUDIO_CACHE))) return ids;
  for (const request of await (await caches.open(AUDIO_CACHE)).keys()) {
    const match = /\/api\/tracks\/([^/]+)\/audio$/.exec(new URL(request.url).pathname);
    if (match) ids.add(decodeURIComponent(match[1]));
  }
  return ids;
}
