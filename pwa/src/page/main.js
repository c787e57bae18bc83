// Encore's page: boot, routes (/signup, /login, /welcome, /, /settings, and library.js's), and the wiring between
// the feed queue, the players, the outbox and the on-device model.
import { api, ApiError, onSessionEnded } from "./api.js";
import { connectivity } from "./connectivity.js";
import { Library } from "./library.js";
import { clear, h, toast } from "./dom.js";
import { mediaSession } from "./media-session.js";
import { ModelClient } from "./model-client.js";
import { OfflineAudio } from "./offline-audio.js";
import { OutboxClient } from "./outbox-client.js";
import { coalesced } from "./page-hidden.js";
import { strip as stripInteraction } from "../shared/outbox.js";
import { Playback } from "./playback.js";
import { Queue, QUEUE_LENGTH } from "./queue.js";
import { keepNowPlaying } from "./resume.js";
import { bootAsksWhoIsSignedIn, feedQuery, firstRequests } from "./signed-in.js";
import { reportNowPlaying } from "./subsonic-now-playing.js";
import { cacheUserData, clearUserCaches, registerServiceWorker, whenControlled } from "./sw-client.js";
import { authView } from "./ui/auth.js";
import { banners } from "./ui/banners.js";
import { hideDetails, showDetails } from "./ui/details.js";
import { feedView } from "./ui/feed.js";
import { onboardingView } from "./ui/onboarding.js";
import { playerBar } from "./ui/player-bar.js";
import { confirmLogout, settingsView } from "./ui/settings.js";

const main = document.getElementById("main");
const banner = banners(document.getElementById("banners"));
const queue = new Queue();
const outbox = new OutboxClient();
const model = new ModelClient();
const offlineAudio = new OfflineAudio({ isOnline: () => connectivity.online });
const app = { me: null, view: null, feedLoaded: false, feedLoading: null, feed: null, spotifyError: null, demoOnly: false, freshStart: false, resuming: null };
const controlledAtBoot = Boolean(navigator.serviceWorker?.controller);
const RESUME_WAIT_MS = 300; // the longest the first cards wait for the song a reload resumes (an IndexedDB read: a few ms)
const SAVE_FEED_AFTER_MS = 3000; // the feed saved for offline waits this long after a play for the next
const FIRST_VIEW_WAIT_MS = 10_000; // the longest what the first view does not need waits for the first feed (a feed that fails lets it go at once)

/** `callback` once the page has loaded and the main thread is idle. */
function whenIdle(callback) {
  const idle = () => (globalThis.requestIdleCallback ? requestIdleCallback(callback, { timeout: 1000 }) : setTimeout(callback));
  if (document.readyState === "complete") idle();
  else addEventListener("load", idle, { once: true });
}

// Exposed for the end-to-end tests and the benchmark (read-only views of the app's state).
window.encore = { queue, model, outbox, app, connectivity, offlineAudio, marks: {} };
const mark = (name) => {
  window.encore.marks[name] ??= performance.now();
};

const playback = new Playback({
  record: (interaction, track) => recordInteraction(interaction, track),
  nextTrack: (options) => library.listening.peek(options), // the queue, then the feed
  settings: () => app.me?.settings ?? {},
  afterFailure: async (track) => {
    await connectivity.probe(); // a failed load may be the first sign the server is gone
    queue.markUnplayable(track.id);
    return library.listening.peek();
  },
});
// Search, artists, albums, liked songs, history, playlists, the queue, taste, account (library.js).
const library = new Library({
  playback, feed: queue, model, navigate: (path) => navigate(path), me: () => app.me,
  record: (interaction, track) => recordInteraction(interaction, track),
  canPlay: (track) => queue.canPlayNow(track), onAccountGone: () => leave({ why: "deleted" }), rerank: () => rerank(),
});
window.encore.library = library;

// Offline, only what is saved on this device can play. Where the Web Playback SDK failed, a
// Spotify song without a preview cannot play at all: Next passes over it and it is listed after
// the songs that can (not while the SDK is still connecting: it will most likely play them).
queue.canPlayNow = (track) => (connectivity.online || offlineAudio.has(track.id))
  && !(app.spotifyError && !playback.playerFor(track));

playback.addEventListener("track", ({ detail: track }) => {
  queue.setCurrent(track);
  keepOffline();
  reportNowPlaying(track);
});
playback.addEventListener("left", ({ detail: track }) => queue.left(track.id));
playback.addEventListener("error", ({ detail }) => toast(detail));

// The song a reload (or reopening the app) comes back to (resume.js).
const nowPlayingKept = keepNowPlaying(playback, () => app.me?.username ?? null);

playback.addEventListener("unplayable", ({ detail: { track, error, next } }) => {
  console.warn(`unplayable: ${track.id}: ${error?.name ?? ""} ${error?.message ?? error}`); // the why, for the page's log
  const offline = !connectivity.online;
  const why = offline ? "isn't saved on this device, and Encore's server can't be reached"
    : "couldn't be loaded: Encore's server had a problem sending it";
  toast(next
    ? `“${track.name}” ${why}. Playing “${next.name}”${offline ? ", which is saved here" : " instead"}.`
    : `“${track.name}” ${why}. Nothing in your list can play right now${offline ? " (none of it is saved on this device)" : ""}.`);
});

// A cover that cannot load now (offline and never saved on this device) shows as a blank cover,
// not the browser's broken-image sign; it is asked for again when the server is back (it used to
// stay broken until a reload). Error events do not bubble: the listener captures them.
// (Dropping the src would keep the sign: the element's image stays broken. A clear pixel does not.)
const CLEAR_PIXEL = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";
document.addEventListener("error", ({ target }) => {
  if (!(target instanceof HTMLImageElement) || !target.src || target.src === CLEAR_PIXEL) return;
  target.dataset.failedSrc = target.src;
  target.src = CLEAR_PIXEL;
}, true);

function retryFailedImages() {
  for (const img of document.querySelectorAll("img[data-failed-src]")) {
    img.src = img.dataset.failedSrc;
    delete img.dataset.failedSrc;
  }
}

connectivity.addEventListener("change", ({ detail }) => {
  banner.setOnline(detail.online, detail.browserOnline);
  document.body.dataset.online = String(detail.online);
  if (detail.online) {
    retryFailedImages();
    // A page that could not load offline (a library list never saved on this device) loads
    // now, where the listener still is, rather than saying "You're offline" until they leave.
    if (main.querySelector("[data-offline-error]")) route();
    queue.forgiveUnplayable();
    outbox.flushSoon(0);
    keepOffline();
  }
  // Saved tracks first matters more than keeping the cards still: the whole list may move.
  if (model.ready) rerank({ keep: 0 }).catch(() => queue.rearrange());
  else queue.rearrange();
});
offlineAudio.addEventListener("change", () => {
  if (!connectivity.online) queue.rearrange();
  app.view?.render?.();
});

/** The current track and the next ten, saved for offline listening (while the server answers). */
function keepOffline() {
  offlineAudio.keep([queue.current, ...queue.tracks]);
}

outbox.addEventListener("change", ({ detail }) => {
  banner.setWaiting(detail.pendingRows, outbox.failures > 0);
  document.body.dataset.outboxPending = String(detail.pending);
});

model.addEventListener("status", ({ detail }) => {
  document.body.dataset.model = detail.status;
  if (detail.status === "ready") mark("modelReady");
  app.view?.render?.();
});

function modelStatus() {
  return {
    idle: "Ranked by Encore's server.",
    loading: "Loading your on-device model…",
    ready: queue.source === "device" ? "Ranked on this device as you listen." : "On-device model ready.",
    failed: "Ranked by Encore's server (on-device model unavailable).",
  }[model.status];
}

// -- interactions: outbox first, then the on-device model -----------------------------------
// What a reload gets offline is the list as shown, without what was just heard (it came back at
// the top): saved again once a burst of plays is over (the feed is ~165 KB of JSON: one write
// for a listener skipping through ten songs, not ten), and at once when the page goes away.
const savedFeed = coalesced(() => {
  if (app.me && app.feed) cacheUserData([{ path: "/api/feed", body: queue.shownFeed(app.feed) }]);
}, SAVE_FEED_AFTER_MS);

async function recordInteraction(interaction, track) {
  await outbox.record(interaction, track); // durable before anything else happens
  if (interaction.type !== "liked") {
    queue.markDone(track.id);
    savedFeed.soon();
  }
  if (!model.ready) return;
  try {
    await model.learn(interaction, track);
    if (interaction.type !== "liked") await rerank();
  } catch (error) {
    console.warn("on-device learning failed", error);
  }
}

/** Settings changed (onboarding, settings page): remember them, and the worker ranks with them
 *  from its next request on (requests run in order; nothing here waits for Pyodide). */
function applySettings(settings) {
  app.me.settings = settings;
  cacheUserData([{ path: "/api/me", body: app.me }]);
  model.configure(settings).catch((error) => console.warn("on-device model kept its settings", error));
}

/** The snapshot may predate what this device recorded (offline, or not yet sent): learn it. */
async function learnUnsent() {
  const rows = await outbox.pending();
  if (!rows.length) return;
  await model.learnMany(rows.map((row) => ({
    interaction: stripInteraction(row), track: row.track ?? queue.byId.get(row.track_id) ?? null,
  })));
}

/** Rank the pool on the device. The cards on screen (and above it) stay where they are unless
 *  `keep` says otherwise: a new ranking never moves what the listener is looking at. */
async function rerank({ keep = app.view?.cardsInView?.() ?? 0 } = {}) {
  if (!model.ready) return;
  const started = performance.now();
  // The whole pool, ranked: offline, saved tracks come first even when ranked below the first 30.
  const candidates = queue.candidates();
  const ranked = await model.rank(candidates, connectivity.online ? QUEUE_LENGTH : candidates.length,
    { freshStart: app.freshStart });
  queue.applyRanking(ranked, { keep });
  window.encore.marks.lastRerankMs = performance.now() - started;
  if (playback.current) keepOffline();
}

// -- feed ---------------------------------------------------------------------------------
// A signed-in visit (signed-in.js) asks for the feed together with /api/me instead of after
// it: the first cards wait for one round trip, not two. Only the route boot opens may use it
// (boot drops it afterwards: onboarding's picks, say, need a feed asked for after them); a
// session that ended elsewhere meanwhile gets a 401, dropped.
let bootFeed = null;

async function loadFeed({ refresh = false } = {}) {
  const early = refresh || app.demoOnly ? null : bootFeed;
  bootFeed = null;
  const query = feedQuery();
  if (app.demoOnly) query.set("source", "demo");
  // what a refresh moves past, earlier refreshes' too (as the server hides them)
  const passed = refresh ? [...queue.passed, ...queue.onScreen()] : [];
  if (refresh) {
    query.set("refresh", "1");
    // What the listener had on screen (the device may have re-ranked it): keep it out too.
    query.set("shown", queue.onScreen().join(","));
  }
  const feed = (await early) ?? await api(`/api/feed?${query}`);
  app.freshStart = Boolean(feed.restarted); // the device ranks from the top too, until the next feed
  if (feed.restarted) {
    toast("You've been through every song in your feed once: starting over.");
    queue.forgetPlayed(); // the server starts over: what was played this visit comes back too
  }
  if (!app.spotifyError) banner.notice(feed.notice ?? null); // e.g. a Subsonic server that is down
  // Unreachable, the songs saved on this device stay: they are all that can play here (moved
  // past, the music would stop after the current song).
  const moved = connectivity.online ? passed : passed.filter((id) => !offlineAudio.has(id));
  // The resumed song's "now playing" card first (arriving after the cards, it would push them
  // all down), but the cards never wait long for the device's storage (it can be slow to open).
  await Promise.race([app.resuming, new Promise((resolve) => setTimeout(resolve, RESUME_WAIT_MS))]);
  queue.setFeed(feed, { passed: feed.restarted ? [] : moved });
  app.feed = feed;
  app.feedLoaded = true;
  cacheUserData([{ path: "/api/me", body: app.me }, { path: "/api/feed", body: queue.shownFeed(feed) }]); // what offline shows
  mark("feedRendered");
  if (await playableFeed()) return;
  if (model.ready) await rerank();
  await offlineAudio.refresh();
  queue.rearrange();
  app.view?.render?.();
}

/** "Refresh feed". Unreachable, it gets the saved feed back and moves past what was on screen,
 *  but only songs saved on this device play: when it brings none that was not listed already,
 *  it says so (the list below them changes, which looked like a refresh that did nothing). */
async function refreshFeed() {
  const listed = new Set(queue.onScreen());
  await loadFeed({ refresh: true });
  if (connectivity.online || queue.onScreen().some((id) => !listed.has(id) && offlineAudio.has(id))) return;
  const [where, until] = connectivity.browserOnline ? ["Can't reach Encore's server", "it's back"]
    : ["You're offline", "you're back online"];
  toast(`${where}, and nothing new is saved on this device: only the songs saved here can play until ${until}.`);
}

/** Everything was heard: the feed from the top again (the server's, or offline the one saved
 *  here), and the first song plays. */
async function startOver() {
  try {
    await loadFeed({ refresh: true });
  } catch (error) {
    if (!app.feed) return feedError(error);
    queue.forgetPlayed();
    queue.setFeed(app.feed);
  }
  const first = library.listening.peek();
  if (first) playback.play(first);
  return undefined;
}

async function startModel() {
  // After the service worker controls the page, so Pyodide is fetched once, through its cache.
  const controlled = await whenControlled();
  if (controlled && !controlledAtBoot) {
    cacheUserData([{ path: "/api/me", body: app.me }, ...(app.feed ? [{ path: "/api/feed", body: queue.shownFeed(app.feed) }] : [])]);
  }
  if (model.status !== "idle") return;
  try {
    await model.start(app.me.settings);
    await learnUnsent();
    await rerank();
  } catch (error) {
    console.warn("model worker unavailable", error);
  }
}

async function startSpotify() {
  if (!app.me?.spotify?.connected || playback.spotify) return;
  const { SpotifyPlayer } = await import("./players/spotify-player.js");
  const { sdk_url: sdkUrl, api_url: apiUrl } = app.me.spotify;
  try {
    playback.useSpotify(await SpotifyPlayer.connect({ volume: playback.volume, sdkUrl, apiUrl }));
    document.body.dataset.spotify = "ready";
    app.spotifyError = null;
    banner.notice(null);
  } catch (error) {
    app.spotifyError = error.message;
    document.body.dataset.spotify = "failed";
    spotifyFailedNotice(); // said again by playableFeed once the feed is known
    if (app.feedLoaded && await playableFeed().catch(feedError)) return;
  }
  queue.rearrange(); // what can play here comes first (canPlayNow)
}

/** Spotify was disconnected: its player goes, and the feed switches to the other sources at
 *  once (its tracks could no longer play). */
async function dropSpotify() {
  const current = playback.current?.track;
  if (current?.source === "spotify") await playback.stopCurrent();
  await playback.spotify?.disconnect?.().catch(() => {});
  playback.useSpotify(null);
  app.spotifyError = null;
  app.demoOnly = false;
  banner.notice(null);
  document.body.dataset.spotify = "off";
  await loadFeed().catch(feedError);
}

// Without the SDK only previews play; a Spotify app without previews gets the demo catalog.
async function playableFeed() {
  if (!app.spotifyError) return false;
  const tracks = app.feed?.tracks ?? [];
  const playable = tracks.filter((t) => t.audio_url || t.preview_url).length;
  if (app.feed?.source === "spotify" && playable < tracks.length / 2) {
    app.demoOnly = true;
    spotifyFailedNotice();
    await loadFeed();
    return true;
  }
  spotifyFailedNotice();
  return false;
}

/** The banner, when Spotify cannot play here: why, and what plays instead (a feed that mixes
 *  Spotify with the listener's own music plays their own; the feed may not be known yet). */
function spotifyFailedNotice() {
  const instead = app.demoOnly ? "Encore's demo catalog"
    : app.feed?.source === "mixed" ? "your own music"
    : app.feed?.source === "spotify" ? "Spotify's previews"
    : "what can play here";
  banner.notice(`${app.spotifyError}. Playing ${instead} instead.`);
}

// -- routing ------------------------------------------------------------------------------
function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState({}, "", path);
  else history.pushState({}, "", path);
  return route();
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-link]");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
  event.preventDefault();
  navigate(link.getAttribute("href"));
});
addEventListener("popstate", () => route());

function show(view, title) {
  app.view?.dispose?.();
  const first = !app.view;
  app.view = view;
  clear(main).append(view);
  scrollTo(0, 0); // a new page opens at its top, not where the last one was scrolled to
  // The control that opened it went with the old page (Start listening, an artist's name):
  // the focus goes to the new page's content rather than falling to the document's start
  // (not on the first page a visit opens: Tab starts at the skip link and the navigation).
  if (!first && document.activeElement === document.body) main.focus({ preventScroll: true });
  document.title = title ? `${title} · Encore` : "Encore";
  document.getElementById("topbar").hidden = !app.me;
  // Nothing to play before the picks: the bar would only cover the onboarding's button.
  document.getElementById("player").hidden = !app.me || (location.pathname === "/welcome" && !playback.current);
  for (const a of document.querySelectorAll(".topnav a")) {
    a.toggleAttribute("aria-current", a.getAttribute("href") === location.pathname);
    if (a.hasAttribute("aria-current")) a.setAttribute("aria-current", "page");
  }
}

/** ?spotify=connected|denied, from the OAuth callback: said once, then gone from the address. */
function takeSpotifyFlash() {
  const params = new URLSearchParams(location.search);
  const flash = params.get("spotify");
  if (!flash) return null;
  params.delete("spotify");
  history.replaceState({}, "", `${location.pathname}${params.size ? `?${params}` : ""}`);
  if (flash === "connected") toast("Spotify is connected.");
  if (flash === "denied") toast("Spotify isn't connected: the sign-in was cancelled on Spotify's page.");
  return ["connected", "denied"].includes(flash) ? flash : null;
}

let routing = 0; // the latest navigation: a view that took longer to make is not shown over it

async function route() {
  const turn = ++routing;
  const flash = takeSpotifyFlash();
  const path = location.pathname;
  hideDetails(document.getElementById("details"));
  if (!app.me) {
    const news = SIGNED_OUT_NEWS[new URLSearchParams(location.search).get("account")];
    if (news) {
      toast(news);
      history.replaceState({}, "", location.pathname); // said once, not again on a reload
    }
    const mode = path === "/signup" ? "signup" : "login";
    if (path !== "/signup" && path !== "/login") history.replaceState({}, "", "/login");
    show(authView(mode, { onSignedIn, navigate }), mode === "signup" ? "Sign up" : "Log in");
    return;
  }
  if (path === "/welcome") {
    show(await onboardingView({
      me: app.me,
      spotifyFlash: flash,
      onDone: async (settings) => {
        applySettings(settings); // the worker ranks with the picks from now on
        await loadFeed().catch(feedError);
        navigate("/", { replace: true });
      },
    }), "Welcome");
    return;
  }
  if (path === "/settings") {
    show(settingsView({
      me: app.me,
      outbox,
      trackOf: (id) => queue.byId.get(id),
      spotifyFlash: flash,
      onSettings: async (settings) => {
        applySettings(settings);
        await rerank();
      },
      onLogout: logout,
      onSourcesChange: () => loadFeed(),
      onSpotifyChange: async () => {
        app.me = await api("/api/me");
        cacheUserData([{ path: "/api/me", body: app.me }]);
        if (!app.me.spotify?.connected) await dropSpotify();
        route();
      },
      onSubsonicChange: async () => { // connected or not: a new feed, and the card says so
        app.me = await api("/api/me");
        await loadFeed().catch(feedError);
        route();
      },
    }), "Settings");
    return;
  }
  const extra = await library.view(path);
  if (turn !== routing) { // the listener went elsewhere while it loaded (Library, then Feed)
    extra?.el?.dispose?.();
    return;
  }
  if (extra) {
    show(extra.el, extra.title);
    return;
  }
  if (path !== "/") history.replaceState({}, "", "/");
  show(feedView({
    lib: library,
    queue,
    onPlay: (track) => playback.play(track),
    onDetails: (track) => showDetails(document.getElementById("details"), track, { onPlay: (t) => playback.play(t) }),
    onRefresh: () => refreshFeed().catch(feedError),
    onStartOver: startOver,
    feedState: () => ({ loaded: app.feedLoaded, source: app.feed?.source ?? null }),
    offlineIds: () => offlineAudio.saved,
    modelStatus,
  }), "Your feed");
  if (!app.feedLoaded) app.feedLoading = loadFeed().catch(feedError);
}

function feedError(error) {
  toast(error.code === "offline" ? "You're offline and no feed is saved on this device yet." : `Feed: ${error.message}`);
}

async function onSignedIn(account, { isNew }) {
  await clearUserCaches(); // another user's cached answers must never show
  queue.setFeed({ tracks: [], pool: [] });
  app.feedLoaded = false;
  app.me = await api("/api/me");
  await afterSignIn();
  navigate(isNew ? "/welcome" : "/", { replace: true }).then(() => afterFirstView(() => library.signedIn()));
}

async function afterSignIn() {
  document.getElementById("player").hidden = false;
  // Not waited for: the outbox itself waits for it before anything is recorded or sent.
  outbox.setUser(app.me.username).catch((error) => console.error("outbox", error));
  app.resuming = nowPlayingKept.resume().catch((error) => console.warn("nothing resumed", error));
  startModel();
  startSpotify();
}

/** `callback` once the first view is on screen (the first cards, on a feed; at most 10 s) and
 *  the page is idle: what that view does not need (the liked songs, the service worker and
 *  its ~14 MB precache) must not compete with it for the server, the network and both cores. */
async function afterFirstView(callback) {
  await Promise.race([app.feedLoading, new Promise((resolve) => setTimeout(resolve, FIRST_VIEW_WAIT_MS))]);
  whenIdle(callback);
}

async function logout() {
  const { pending } = await outbox.refresh();
  if (pending > 0 && !(await confirmLogout(pending))) return;
  await playback.audio.stop();
  await playback.spotify?.stop().catch(() => {});
  try {
    await api("/api/auth/logout", { method: "POST" });
  } catch (error) {
    if (error.code !== "offline") throw error;
  }
  await leave();
}

/** What the log-in page says after `leave({ why })`. */
const SIGNED_OUT_NEWS = {
  deleted: "Your account is deleted, and everything Encore kept about you with it.",
  ended: "You were signed out on this device (a new password, or your session ended). Sign in to go on.",
};

/** Signed out (or the account deleted, or the session ended elsewhere): nothing of this user
 *  stays on the page or device, but what they did and Encore has not yet stored, which waits
 *  in the outbox, theirs, for their next sign-in. */
async function leave({ why = null } = {}) {
  app.me = null; // first: nothing of theirs is saved again behind the clearing (the feed, their song)
  await clearUserCaches();
  await outbox.setUser(null);
  // A fresh page: no queue, model or player state survives (and it says why, if not asked).
  location.assign(why ? `/login?account=${why}` : "/login");
}

// A session ended elsewhere (a new password chosen on another device, which signs out every
// other): the log-in page, told why, not a page whose every part says "Sign in first."
onSessionEnded(() => {
  if (app.me) leave({ why: "ended" });
});

// -- boot ---------------------------------------------------------------------------------
async function boot() {
  mark("boot");
  // Pyodide starts while the page asks who is signed in (served by the service worker's cache).
  if (controlledAtBoot) model.spawn();
  playerBar(document.getElementById("player"), playback, {
    onExpand: () => library.openNowPlaying(), onLike: (track) => library.toggleLike(track), isLiked: (id) => library.isLiked(id),
  });
  document.getElementById("player").hidden = true;
  mediaSession(playback);
  const [meUrl, feedUrl] = firstRequests();
  const signedIn = bootAsksWhoIsSignedIn();
  if (signedIn) bootFeed = api(feedUrl).catch(() => null);
  try {
    // signed out: nothing asked (a 401 is a console error), unless offline, which is said below
    app.me = signedIn || !navigator.onLine ? await api(meUrl) : null;
  } catch (error) {
    app.me = null;
    if (error.code === "offline") {
      show(h("section", { class: "auth" }, h("div", { class: "card" }, h("h1", {}, "You're offline"),
        h("p", {}, "Encore needs the network once to sign you in. Your listening works offline after that."))), "Offline");
      addEventListener("online", () => location.reload(), { once: true });
      return;
    }
    if (!(error instanceof ApiError) || error.status !== 401) toast(error.message);
  }
  if (app.me) await afterSignIn();
  await route();
  bootFeed = null;
  if (app.me) afterFirstView(() => library.signedIn());
}

// The model worker waits for the service worker (startModel), so on a first visit it starts
// after the first cards too.
boot().finally(() => afterFirstView(() => registerServiceWorker({ onUpdate: (reload) => banner.showUpdate(() => {
  offlineAudio.stop();
  reload();
}) })));
