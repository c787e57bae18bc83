// Banners: offline or the server unreachable (with the number of plays waiting to sync), "update
// available — reload", and notices (Spotify's state and the like).
import { h } from "../dom.js";

export function banners(root) {
  const offline = h("div", { class: "banner offline", id: "offline-banner", role: "status", hidden: true });
  const update = h("div", { class: "banner update", id: "update-banner", hidden: true },
    h("span", {}, "A new version of Encore is ready."),
    h("button", { type: "button", class: "primary small", id: "update-reload" }, "Reload"));
  const notice = h("div", { class: "banner notice", id: "notice-banner", role: "alert", hidden: true });
  root.append(offline, update, notice);
  let browserOnline = navigator.onLine;
  let reachable = true; // the server answers (requests fail while navigator.onLine says online)
  let waiting = 0;
  let stuck = false; // reachable, but the server has not been taking interactions
  // In a listener's words: plays (and likes) kept on this device until the server has them.
  const plays = (n) => `${n} play${n === 1 ? "" : "s"}`;
  const renderOffline = () => {
    offline.dataset.waiting = String(waiting);
    const saved = waiting ? ` ${plays(waiting)} saved on this device, sent when you're back online.` : "";
    if (!browserOnline) {
      offline.hidden = false;
      offline.textContent = `You're offline. Playing what's saved on this device; your feed keeps learning.${saved}`;
    } else if (!reachable) {
      offline.hidden = false;
      offline.textContent = `Can't reach Encore's server. Playing what's saved on this device.${waiting ? ` ${plays(waiting)} saved here, sent when it's back.` : ""}`;
    } else {
      offline.hidden = !(waiting > 0 && stuck);
      offline.textContent = `Couldn't reach Encore's server: ${plays(waiting)} waiting to sync; trying again.`;
    }
  };
  renderOffline();
  return {
    setOnline(online, isBrowserOnline) {
      browserOnline = isBrowserOnline;
      reachable = online || !isBrowserOnline;
      renderOffline();
    },
    setWaiting(n, isStuck = false) {
      waiting = n;
      stuck = isStuck;
      renderOffline();
    },
    showUpdate(onReload) {
      update.hidden = false;
      update.querySelector("button").onclick = onReload;
    },
    notice(message) {
      notice.textContent = message ?? "";
      notice.hidden = !message;
    },
  };
}
