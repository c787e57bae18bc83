// Banners: offline (with the number of interactions waiting) and "update available — reload".
import { h } from "../dom.js";

export function banners(root) {
  const offline = h("div", { class: "banner offline", id: "offline-banner", role: "status", hidden: true });
  const update = h("div", { class: "banner update", id: "update-banner", hidden: true },
    h("span", {}, "A new version of Encore is ready."),
    h("button", { type: "button", class: "primary small", id: "update-reload" }, "Reload"));
  const notice = h("div", { class: "banner notice", id: "notice-banner", role: "alert", hidden: true });
  root.append(offline, update, notice);
  let online = navigator.onLine;
  let waiting = 0;
  let stuck = false; // online, but the server has not been taking them
  const renderOffline = () => {
    offline.hidden = online && !(waiting > 0 && stuck);
    offline.dataset.waiting = String(waiting);
    const count = `${waiting} interaction${waiting === 1 ? "" : "s"} waiting`;
    offline.textContent = online ? `Couldn't reach Encore's server — ${count}; retrying.` : `You're offline — ${count}. Your feed keeps learning on this device.`;
  };
  addEventListener("online", () => { online = true; renderOffline(); });
  addEventListener("offline", () => { online = false; renderOffline(); });
  renderOffline();
  return {
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
