// What must be written before the page may be gone: the page is hidden (the app switched away
// from, which on a phone may be the last moment it runs) or unloads (a reload, the tab closed).

/** Call `callback` whenever the page is hidden or goes away. */
export function onPageHidden(callback) {
  addEventListener("pagehide", callback);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") callback();
  });
}

/** `work` asked for many times in a row (a listener skipping through songs) done once, `ms`
 *  after the last ask, and at once if the page is hidden or goes away meanwhile: nothing asked
 *  for is lost. */
export function coalesced(work, ms) {
  let timer = 0;
  const now = () => {
    if (!timer) return;
    clearTimeout(timer);
    timer = 0;
    work();
  };
  onPageHidden(now);
  return {
    soon() {
      clearTimeout(timer);
      timer = setTimeout(now, ms);
    },
  };
}
