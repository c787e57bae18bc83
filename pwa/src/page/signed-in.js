// Whether this browser is signed in, before asking the server: a cookie the server sets and
// clears with the session ("1", no secret: the session cookie itself stays HttpOnly). A visit
// without it asks nothing that needs a session: each 401 was an error in the browser's console
// (two on every signed-out visit, from the first view's requests below).
import { QUEUE_LENGTH } from "./queue.js";

const SIGNED_IN_COOKIE = "encore_signed_in"; // backend/sessions.py: SIGNED_IN_HINT

function signedInHint() {
  return document.cookie.split("; ").includes(`${SIGNED_IN_COOKIE}=1`);
}

/** The feed's query: the first view's, which a refresh or a source adds to. */
export const feedQuery = () => new URLSearchParams({ limit: QUEUE_LENGTH, pool: 200 });

/** What a signed-in first view asks for first (boot in main.js; preload.js asks early). */
export const firstRequests = () => ["/api/me", `/api/feed?${feedQuery()}`];

/** Mark of a page whose first requests preload.js asked for (on the <html> element). */
const PRELOADED = "firstViewPreloaded";

/** preload.js: the hint's "signed in", acted on and written down for boot. */
export function preloadFirstView() {
  if (!signedInHint()) return;
  for (const href of firstRequests()) {
    const link = Object.assign(document.createElement("link"), { rel: "preload", as: "fetch", href });
    link.crossOrigin = "anonymous"; // a same-origin fetch() with the cookie: the page's own requests
    document.head.append(link);
  }
  document.documentElement.dataset[PRELOADED] = "";
}

/** Whether boot asks who is signed in. Once preloaded, always: the browser keeps a preloaded
 *  answer for the next fetch() of its URL, so one boot leaves behind is taken later by the
 *  log-in's own /api/me (a 401: "Sign in first." under the right password). The hint alone can
 *  not tell: a session ended elsewhere answers the preloads 401, which clears the hint before
 *  boot reads it. */
export function bootAsksWhoIsSignedIn() {
  return PRELOADED in document.documentElement.dataset || signedInHint();
}
