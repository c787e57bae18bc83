// Encore's service worker (bundled by build.mjs; Workbox injects the precache manifest).
//  - precache: app shell, Pyodide core, the packaged shared_model (revisioned);
//  - /api/me, /api/feed, /api/model, and the library's lists and pages: network first with a
//    timeout, else the last answer (cleared at logout; the page posts CLEAR_USER_DATA);
//  - demo audio: cache first, the last 50 tracks, Range requests answered from the cache;
//  - never cached: anything carrying a token (/api/spotify/token), auth, interactions;
//  - Background Sync flushes the interaction outbox;
//  - no skipWaiting on its own: the page shows "update available" and asks (SKIP_WAITING).
import { cacheNames, clientsClaim, setCacheNameDetails } from "workbox-core";
import { ExpirationPlugin } from "workbox-expiration";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { RangeRequestsPlugin } from "workbox-range-requests";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { CacheFirst, NetworkFirst, NetworkOnly } from "workbox-strategies";
import { flush } from "../pwa/src/shared/outbox.js";
import { AUDIO_CACHE, CACHE_PREFIX, COVER_CACHE, LAYOUT, SNAPSHOT_CACHE, SYNC_TAG, USER_CACHE, USER_DATA_CACHES } from "../pwa/src/shared/protocol.js";

setCacheNameDetails({ prefix: CACHE_PREFIX, precache: "static", runtime: "runtime", suffix: LAYOUT });
const KNOWN = () => new Set([cacheNames.precache, cacheNames.runtime, USER_CACHE, AUDIO_CACHE, COVER_CACHE, SNAPSHOT_CACHE]);

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
clientsClaim(); // take the first page at once; later versions wait for the page's SKIP_WAITING

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) =>
      Promise.all(keys.filter((k) => k.startsWith("encore-") && !KNOWN().has(k)).map((k) => caches.delete(k))),
    ),
  );
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "SKIP_WAITING") self.skipWaiting();
  if (event.data?.type === "CACHE_USER_DATA") {
    // Answers the page fetched before this worker controlled it (the first visit).
    event.waitUntil(caches.open(USER_CACHE).then((cache) => Promise.all(event.data.entries.map(({ path, body }) =>
      cache.put(path, new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } }))))));
  }
  if (event.data?.type === "CLEAR_USER_DATA") {
    event.waitUntil(Promise.all(USER_DATA_CACHES.map((name) => caches.delete(name))));
  }
});

// The app shell for every navigation except the server's own pages (OAuth callback, API).
registerRoute(
  new NavigationRoute(createHandlerBoundToURL("/index.html"), { denylist: [/^\/api\//, /^\/auth\//, /^\/metrics/, /^\/healthz/] }),
);

const sameOrigin = (url) => url.origin === self.location.origin;

// Tokens and auth never touch a cache.
registerRoute(({ url }) => sameOrigin(url) && /^\/(api\/(spotify|auth)|auth)\//.test(url.pathname), new NetworkOnly());

// The user's feed, model and profile: network first, the last answer when offline. One entry per
// path (the query only tunes the answer), so "?refresh=1" also refreshes the offline copy.
// An answer from the cache (the network failed or took too long) says so, for the page's banner.
const onePerPath = {
  cacheKeyWillBeUsed: async ({ request }) => new URL(request.url).pathname,
  cacheWillUpdate: async ({ response }) => (response?.status === 200 ? response : null),
  cachedResponseWillBeUsed: async ({ cachedResponse }) => {
    if (!cachedResponse) return cachedResponse;
    const headers = new Headers(cachedResponse.headers);
    headers.set("X-Encore-From-Cache", "1");
    return new Response(await cachedResponse.blob(), { status: cachedResponse.status, headers });
  },
};
registerRoute(
  ({ url, request }) => sameOrigin(url) && request.method === "GET" && ["/api/me", "/api/feed", "/api/model"].includes(url.pathname),
  new NetworkFirst({ cacheName: USER_CACHE, networkTimeoutSeconds: 4, plugins: [onePerPath] }),
);

// The library around the feed (liked songs, history, playlists, taste, artists, albums): network
// first, else the last answer for that very URL (pages of a list are kept apart), said so.
registerRoute(
  ({ url, request }) => sameOrigin(url) && request.method === "GET" && !url.pathname.startsWith("/api/playlists/import")
    && /^\/api\/(me\/(liked|history|taste)|playlists|artists|albums)(\/|$)/.test(url.pathname),
  new NetworkFirst({ cacheName: USER_CACHE, networkTimeoutSeconds: 4, plugins: [{ ...onePerPath, cacheKeyWillBeUsed: async ({ request }) => request.url }] }),
);

// Demo and local audio: played or next-up tracks stay for offline listening (bounded). Spotify's
// previews are another origin's and never match.
registerRoute(
  ({ url }) => sameOrigin(url) && /^\/api\/tracks\/[^/]+\/audio$/.test(url.pathname),
  new CacheFirst({
    cacheName: AUDIO_CACHE,
    plugins: [
      {
        // Ask the network for the whole file, so the cache holds complete tracks; <audio>'s
        // Range requests are then answered from it by the RangeRequestsPlugin.
        requestWillFetch: async ({ request }) => new Request(request.url, { credentials: "same-origin" }),
        // <audio> always gets an answer made here, never the network's own: Chromium fails a
        // media load whose parts are both ("data source error": the network's whole file first,
        // then, once it is cached, ranges cut from the cache's copy for a seek or an Ogg file's
        // end), so a song not saved yet could fail to start or to be sought into.
        fetchDidSucceed: async ({ response }) => new Response(response.body, response),
        cacheWillUpdate: async ({ response }) => (response?.status === 200 ? response : null),
      },
      new ExpirationPlugin({ maxEntries: 50, purgeOnQuotaError: true }),
      new RangeRequestsPlugin(),
    ],
  }),
);

// Album covers (demo SVGs, the library's resized JPEGs): small and immutable enough to keep.
registerRoute(
  ({ url }) => sameOrigin(url) && (url.pathname.startsWith("/api/demo/covers/")
    || url.pathname.startsWith("/api/library/covers/")),
  new CacheFirst({ cacheName: COVER_CACHE, plugins: [new ExpirationPlugin({ maxEntries: 300 })] }),
);

self.addEventListener("sync", (event) => {
  if (event.tag === SYNC_TAG) event.waitUntil(flush());
});
