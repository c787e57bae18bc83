// Settings → the listening history waiting to sync: what is waiting and what the server refused
// (with its reason), named by song, with Send now and Retry failed.
import { formatTime, h } from "../dom.js";

const DID = { finished: "Finished", skipped: "Skipped", liked: "Liked", disliked: "Disliked" };

/** "Skipped “Song” by Artist at 0:03 · 14:02" — the song's name from the row (or the feed). */
export function describeInteraction(row, trackOf = () => null) {
  const track = row.track ?? trackOf(row.track_id);
  const what = track?.name ? `“${track.name}”${track.artists?.length ? ` by ${track.artists.map((a) => a.name).join(", ")}` : ""}` : "a song no longer in your feed";
  const where = row.type === "skipped" ? ` after ${formatTime(row.position_ms)}` : "";
  const when = new Date(row.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return `${DID[row.type] ?? row.type} ${what}${where} · ${when}`;
}

export function outboxCard({ outbox, trackOf }) {
  const pendingList = h("ul", { class: "outbox-list", id: "outbox-pending" });
  const failedList = h("ul", { class: "outbox-list", id: "outbox-failed" });
  const pendingCount = h("span", { id: "outbox-pending-count" }, "0");
  const failedCount = h("span", { id: "outbox-failed-count" }, "0");
  const retry = h("button", { type: "button", class: "ghost", id: "outbox-retry", onclick: () => outbox.retryFailed() }, "Retry failed");
  const send = h("button", { type: "button", class: "ghost", id: "outbox-send", onclick: () => outbox.flush() }, "Send now");
  const pendingHead = h("h3", { hidden: true }, "Waiting"); // headings only over something
  const failedHead = h("h3", { hidden: true }, "Refused");
  const render = ({ detail }) => {
    pendingHead.hidden = detail.pending === 0;
    failedHead.hidden = detail.failed === 0;
    pendingCount.textContent = String(detail.pending);
    failedCount.textContent = String(detail.failed);
    pendingList.replaceChildren(...detail.pendingRows.slice(0, 20).map((r) => h("li", {}, describeInteraction(r, trackOf))));
    failedList.replaceChildren(...detail.failedRows.map((r) => h("li", {}, describeInteraction(r, trackOf), h("span", { class: "field-error" }, ` — ${r.error}`))));
    retry.disabled = detail.failed === 0;
    send.disabled = detail.pending === 0;
  };
  outbox.addEventListener("change", render);
  const card = h("section", { class: "card", "aria-labelledby": "set-outbox" },
    h("h2", { id: "set-outbox" }, "Listening history waiting to sync"),
    h("p", {}, pendingCount, " waiting to be sent, ", failedCount, " refused by the server."),
    h("div", { class: "row" }, send, retry),
    pendingHead, pendingList,
    failedHead, failedList);
  card.dispose = () => outbox.removeEventListener("change", render);
  outbox.refresh();
  return card;
}
