// Whether this browser is signed in, before asking the server: a cookie the server sets and
// clears with the session ("1", no secret: the session cookie itself stays HttpOnly). A visit
// without it asks nothing that needs a session: each 401 was an error in the browser's console
// (two on every signed-out visit, from the first view's requests below).
import { QUEUE_LENGTH } from "./queue.js";

const SIGNED_IN_COOKIE = "encore_signed_in"; // backend/sessions.py: SIGNED_IN_HINT

export function signedInHint() {
  return document.cookie.split("; ").includes(`${SIGNED_IN_COOKIE}=1`);
}

/** The feed's query: the first view's, which a refresh or a source adds to. */
export const feedQuery = () => new URLSearchParams({ limit: QUEUE_LENGTH, pool: 200 });

/** What a signed-in first view asks for first (boot in main.js; preload.js asks early). */
export const firstRequests = () => ["/api/me", `/api/feed?${feedQuery()}`];
