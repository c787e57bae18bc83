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
  let waitingWords = "";
  let stuck = false; // reachable, but the server has not been taking interactions
  // In a listener's words (inWords): the plays, likes and dislikes kept on this device until
  // the server has them.
  const renderOffline = () => {
    offline.dataset.waiting = String(waiting);
    const saved = waiting ? ` ${waitingWords} saved on this device, sent when you're back online.` : "";
    if (!browserOnline) {
      offline.hidden = false;
      offline.textContent = `You're offline. Playing what's saved on this device; your feed keeps learning.${saved}`;
    } else if (!reachable) {
      offline.hidden = false;
      offline.textContent = `Can't reach Encore's server. Playing what's saved on this device.${waiting ? ` ${waitingWords} saved here, sent when it's back.` : ""}`;
    } else {
      offline.hidden = !(waiting > 0 && stuck);
      offline.textContent = `Couldn't reach Encore's server: ${waitingWords} waiting to sync; trying again.`;
    }
  };
  renderOffline();
  return {
    setOnline(online, isBrowserOnline) {
      browserOnline = isBrowserOnline;
      reachable = online || !isBrowserOnline;
      renderOffline();
    },
    /** @param {{type: string}[]} rows the interactions waiting in the outbox */
    setWaiting(rows, isStuck = false) {
      waiting = rows.length;
      waitingWords = inWords(rows);
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

const NOUNS = [["play", (t) => t === "finished" || t === "skipped"], ["like", (t) => t === "liked"],
  ["dislike", (t) => t === "disliked"]];

/** "2 plays and 1 like": what is waiting, by kind, in a listener's words (a skip and a like
 *  are not "2 plays"). */
export function inWords(rows) {
  const parts = NOUNS.map(([noun, is]) => [noun, rows.filter((row) => is(row.type)).length])
    .filter(([, n]) => n > 0).map(([noun, n]) => `${n} ${noun}${n === 1 ? "" : "s"}`);
  return parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}` : parts[0] ?? "";
}
