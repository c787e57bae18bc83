// Settings → "Your music": the local library's scan and analysis progress, what failed and why,
// and which sources feed the queue. Polls /api/library/status: every 2 s while work runs.
import { api } from "../api.js";
import { h } from "../dom.js";

const NAMES = { local: "Your music folder", spotify: "Spotify", subsonic: "Subsonic server", demo: "Demo catalog" };
const number = (n) => Number(n ?? 0).toLocaleString("en");

function eta(seconds) {
  if (seconds == null) return "";
  if (seconds < 90) return ` · about ${Math.max(1, Math.round(seconds))} s left`;
  return ` · about ${Math.round(seconds / 60)} min left`;
}

export function libraryCard({ me, onSources }) {
  const summary = h("p", { id: "library-summary", role: "status" }, "Reading the library…");
  const progress = h("progress", { id: "library-progress", max: 1, value: 0, hidden: true, "aria-label": "Library progress" });
  const phase = h("p", { id: "library-phase", class: "hint" });
  // For whoever runs this Encore (the setting's name is in the README, not on a listener's page).
  const operatorHint = h("p", { id: "library-operator-hint", class: "hint", hidden: true },
    "Running Encore yourself? Tell it where your music folders are and restart it: the README's “Your own music” says how.");
  const failedCount = h("span", { id: "library-failed-count" }, "0");
  const failedList = h("ul", { class: "outbox-list", id: "library-failed" });
  const failedWord = h("span", {}, " files could not be used");
  const failures = h("details", { id: "library-failures", hidden: true },
    h("summary", {}, failedCount, failedWord), failedList);
  const sourcesBox = h("fieldset", { id: "library-sources", class: "field" },
    h("legend", {}, "Play music from"));
  const saved = h("p", { class: "saved", role: "status" });
  let timer = null;
  let disposed = false;
  let chosen = new Set(me.settings?.sources ?? []);

  function renderSources(available) {
    const boxes = available.map((name) => {
      const id = `source-${name}`;
      // The only source is what plays: shown ticked, but not a choice to untick.
      const box = h("input", { type: "checkbox", id, name: "sources", value: name,
        checked: chosen.size === 0 || chosen.has(name), disabled: available.length === 1 });
      box.addEventListener("change", async () => {
        const picked = [...sourcesBox.querySelectorAll("input:checked")].map((b) => b.value);
        if (picked.length === 0) { // at least one source plays
          box.checked = true;
          saved.textContent = "Keep at least one source.";
          return;
        }
        const all = picked.length === available.length;
        const settings = await api("/api/me/settings", { method: "PATCH", body: { sources: all ? [] : picked } });
        chosen = new Set(settings.sources);
        saved.textContent = "Saved: the next songs come from your choice.";
        await onSources?.(settings);
      });
      return h("div", { class: "field check" }, box, h("label", { for: id }, NAMES[name] ?? name));
    });
    sourcesBox.replaceChildren(h("legend", {}, "Play music from"), ...boxes);
  }

  function render(status) {
    operatorHint.hidden = status.enabled;
    if (!status.enabled) {
      summary.textContent = "No music folder is set up on this Encore yet.";
    } else {
      summary.textContent = `${number(status.tracks)} tracks · ${number(status.analysed)} analysed · ` +
        `${number(status.pending)} waiting for analysis`;
    }
    const { done, total } = status.progress ?? { done: 0, total: 0 };
    progress.hidden = !status.scanning;
    progress.max = Math.max(1, total);
    progress.value = done;
    phase.textContent = status.scanning
      ? `${status.phase === "analysing" ? "Analysing the sound" : "Scanning files"}: ${number(done)} of ${number(total)}${eta(status.eta_s)}`
      : status.scanned_at ? `Last scanned ${new Date(status.scanned_at).toLocaleString()}.` : "";
    failedCount.textContent = number(status.failed.length);
    failedWord.textContent = status.failed.length === 1 ? " file could not be used" : " files could not be used";
    failures.hidden = status.failed.length === 0;
    failedList.replaceChildren(...status.failed.slice(0, 200).map((f) =>
      h("li", {}, h("code", {}, f.path), h("span", { class: "field-error" }, ` — ${f.error}`))));
    renderSources(status.sources ?? []);
  }

  async function poll() {
    if (disposed) return;
    let busy = false;
    try {
      const status = await api("/api/library/status");
      render(status);
      busy = status.scanning;
    } catch {
      summary.textContent = "The library status is not available offline.";
    }
    if (!disposed) timer = setTimeout(poll, busy ? 2000 : 30000);
  }

  const card = h("section", { class: "card", "aria-labelledby": "set-library", id: "library-card" },
    h("h2", { id: "set-library" }, "Your music"), summary, operatorHint, progress, phase, failures, sourcesBox, saved);
  poll();
  card.dispose = () => {
    disposed = true;
    clearTimeout(timer);
  };
  return card;
}
