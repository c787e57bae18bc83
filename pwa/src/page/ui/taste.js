// Your taste: what Encore has learned, in words (genres, sound, artists up and down, the skips
// that taught it most), and the controls to correct it: forget a song or an artist, don't play
// an artist, reset, and a private session. Corrections apply on this device at once and reach
// the server through the edits outbox (offline too).
import { clear, h } from "../dom.js";
import { confirmDialog } from "./dialogs.js";

function weightBar(weight, max) {
  const share = Math.min(1, Math.abs(weight) / (max || 1));
  return h("meter", { min: 0, max: 1, value: share, "aria-hidden": "true", class: weight >= 0 ? "up" : "down" });
}

function ranked(title, id, entries, actions) {
  if (!entries.up.length && !entries.down.length) return null;
  const max = Math.max(...[...entries.up, ...entries.down].map((e) => Math.abs(e.weight)));
  const list = (items, label, cls) => items.length ? h("div", {}, h("h3", {}, label),
    h("ul", { class: `taste-list ${cls}`, "aria-label": `${title}: ${label.toLowerCase()}` }, items.map((e) =>
      h("li", { dataset: { name: e.name ?? e.label, id: e.id ?? "" } },
        h("span", { class: "taste-name" }, e.label ?? e.name),
        weightBar(e.weight, max),
        h("span", { class: "taste-words" }, e.words), // the bar shows how much; no raw model weight
        actions ? h("span", { class: "row" }, actions(e)) : null)))) : null;
  return h("section", { class: "card", "aria-labelledby": id },
    h("h2", { id }, title), list(entries.up, "Up", "up"), list(entries.down, "Down", "down"));
}

export async function tasteView(lib) {
  const body = h("div", {});
  // What a correction did: said where the listener is looking (focus moves to it, so it is in
  // view below the top bar and a screen reader reads it), not at a page top scrolled away.
  const status = h("p", { class: "flash", role: "status", id: "taste-status", tabindex: "-1" });
  const confirm = (words) => {
    status.textContent = words;
    status.focus();
  };
  const paused = h("input", { type: "checkbox", id: "private-session", checked: Boolean(lib.me()?.settings?.learning_paused) });
  paused.addEventListener("change", async () => {
    try {
      const settings = await lib.api("/api/me/settings", { method: "PATCH", body: { learning_paused: paused.checked } });
      lib.me().settings = settings;
      status.textContent = paused.checked ? "Private session on: what you play now teaches Encore nothing." : "Private session off: Encore learns again.";
      await load();
    } catch (error) {
      paused.checked = !paused.checked;
      status.textContent = error.code === "offline" ? "Turning a private session on or off needs the network." : error.message;
    }
  });

  async function correct(kind, target, words) {
    await lib.correct(kind, target);
    await load(); // the page's new length first: then the confirmation is brought into view
    confirm(words);
  }

  function render(taste) {
    const artistActions = (a) => [
      h("button", { type: "button", class: "small ghost", "aria-label": `Forget ${a.name}`, onclick: () => correct("forget_artist", a.id, `Forgot what ${a.name} taught Encore; they stay out of your feed until you play them.`) }, "Forget"),
      h("button", { type: "button", class: "small danger", "aria-label": `Don't play ${a.name}`, onclick: () => correct("block", a.id, `${a.name} won't be played in your feed.`) }, "Don't play"),
    ];
    clear(body).append(...[ // sections with nothing to show are null: left out, not printed as "null"
      h("p", { class: "lede", id: "taste-summary" }, taste.summary),
      ranked("Genres", "taste-genres", taste.genres),
      ranked("Sound", "taste-sound", taste.qualities),
      ranked("Artists", "taste-artists", taste.artists, artistActions),
      taste.recent_skips.length ? h("section", { class: "card", "aria-labelledby": "taste-skips" },
        h("h2", { id: "taste-skips" }, "Skips that taught Encore the most"),
        h("ul", { class: "taste-list" }, taste.recent_skips.map((s) => h("li", {},
          h("span", { class: "taste-name" }, s.track?.name ?? "A song"),
          h("span", { class: "taste-words" }, s.words),
          h("button", { type: "button", class: "small ghost", "aria-label": `Forget ${s.track?.name ?? "this song"}`,
            onclick: () => correct("forget_track", s.track?.id, `Forgot “${s.track?.name}”.`) }, "Forget"))))) : null,
      taste.blocked.length ? h("section", { class: "card", "aria-labelledby": "taste-blocked" },
        h("h2", { id: "taste-blocked" }, "Not played"),
        h("ul", { class: "taste-list" }, taste.blocked.map((a) => h("li", {},
          h("span", { class: "taste-name" }, a.name),
          h("button", { type: "button", class: "small ghost", "aria-label": `Play ${a.name} again`,
            onclick: () => correct("unblock", a.id, `${a.name} can be played again.`) }, "Play again"))))) : null,
      taste.forgotten.tracks.length || taste.forgotten.artists.length ? h("section", { class: "card", "aria-labelledby": "taste-forgotten" },
        h("h2", { id: "taste-forgotten" }, "Forgotten"),
        h("p", { class: "hint" }, "Out of your feed until you play them again."),
        h("ul", { class: "taste-list" }, [...taste.forgotten.artists, ...taste.forgotten.tracks].map((f) => h("li", {}, f.name)))) : null].filter(Boolean));
  }

  let last = null;
  async function load() {
    try {
      last = await lib.api("/api/me/taste");
      render(last);
    } catch (error) {
      if (!last) clear(body).append(lib.errorView(error, "Your taste"));
    }
  }
  const onCorrected = ({ detail }) => {
    if (!last || navigator.onLine) return;
    // Offline: show the correction at once (the server's words come when it is back).
    if (detail.kind === "block") last.blocked.push({ id: detail.target, name: detail.target });
    render(last);
  };
  lib.addEventListener("corrected", onCorrected);
  await load();

  const reset = h("button", { type: "button", class: "danger", id: "reset-taste", onclick: async () => {
    if (!(await confirmDialog({ title: "Start over?", text: "Encore forgets everything it learned from your plays (your history, likes and playlists stay).", action: "Reset what Encore learned", danger: true }))) return;
    await correct("reset", "", "Reset: Encore starts learning you afresh.");
  } }, "Reset what Encore learned");

  const view = h("section", { "aria-labelledby": "taste-title" },
    h("h1", { id: "taste-title" }, "Your taste"),
    h("div", { class: "field check" }, paused, h("label", { for: "private-session" }, "Private session: what I play now teaches Encore nothing")),
    status, body,
    h("section", { class: "card soft" }, h("h2", {}, "Start over"), reset));
  view.dispose = () => lib.removeEventListener("corrected", onCorrected);
  return view;
}
