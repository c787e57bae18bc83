// Banners: offline or the server unreachable (with the number of interactions waiting), "update
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
  const renderOffline = () => {
    const count = `${waiting} interaction${waiting === 1 ? "" : "s"} waiting`;
    offline.dataset.waiting = String(waiting);
    if (!browserOnline) {
      offline.hidden = false;
      offline.textContent = `You're offline — ${count}. Playing what's saved on this device; your feed keeps learning.`;
    } else if (!reachable) {
      offline.hidden = false;
      offline.textContent = `Can't reach Encore's server — ${count}. Playing what's saved on this device.`;
    } else {
      offline.hidden = !(waiting > 0 && stuck);
      offline.textContent = `Couldn't reach Encore's server — ${count}; retrying.`;
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
