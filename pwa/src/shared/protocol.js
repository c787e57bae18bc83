// What the page, the model worker and the service worker agree on: cache names, the Background
// Sync tag, the outbox's broadcast channel. One place, so a rename cannot split them.

export const LAYOUT = "v1"; // bump when a cache's layout changes; caches of other versions are deleted
export const CACHE_PREFIX = "encore";
export const USER_CACHE = `encore-user-${LAYOUT}`; // /api/me, /api/feed, /api/model: per user
export const AUDIO_CACHE = `encore-audio-${LAYOUT}`; // demo/local audio for offline listening
export const COVER_CACHE = `encore-covers-${LAYOUT}`;
// Pyodide's memory after start-up and `import shared_model.device`: no user data, kept across
// logins; keyed by the Pyodide version and the shared_model archive's content hash.
export const SNAPSHOT_CACHE = `encore-model-snapshot-${LAYOUT}`;
export const SYNC_TAG = "encore-outbox";
export const OUTBOX_CHANNEL = "encore-outbox";

/** Caches holding one user's data: emptied at logout and before another user signs in. */
export const USER_DATA_CACHES = [USER_CACHE, AUDIO_CACHE];
