// Search as you type: results 200 ms after the last key, tracks / artists / albums; arrow keys
// walk from the box through the results, Enter plays or opens. Offline, it searches the tracks
// saved on this device and says so.
import { clear, h } from "../dom.js";
import { searchLocally } from "../search-local.js";
import { counted, trackList } from "./track-list.js";

const DEBOUNCE_MS = 200;

export function searchView(lib, initial) {
  const input = h("input", { type: "search", id: "search-box", value: initial, autocomplete: "off", spellcheck: "false",
    placeholder: "Songs, artists, albums", "aria-describedby": "search-status", "aria-controls": "search-results" });
  const status = h("p", { id: "search-status", class: "hint", "aria-live": "polite" });
  const results = h("div", { id: "search-results", class: "search-results" });
  let timer = null;
  let asked = 0;

  async function run(q) {
    const ticket = ++asked;
    history.replaceState({}, "", q ? `/search?q=${encodeURIComponent(q)}` : "/search");
    if (!q.trim()) {
      clear(results);
      status.textContent = "";
      return;
    }
    let answer;
    let offline = false;
    try {
      answer = await lib.api(`/api/search?q=${encodeURIComponent(q)}&limit=20`);
    } catch (error) {
      if (error.code !== "offline") {
        status.textContent = error.message;
        return;
      }
      offline = true;
      answer = searchLocally(q, lib.knownTracks());
    }
    if (ticket !== asked) return; // a newer query is on its way
    for (const t of answer.tracks) lib.remember(t);
    show(q, answer, offline);
  }

  function show(q, answer, offline) {
    const count = answer.tracks.length + answer.artists.length + answer.albums.length;
    status.textContent = (count ? [counted(answer.tracks.length, "song"), counted(answer.artists.length, "artist"), counted(answer.albums.length, "album")].join(", ")
      : `Nothing found for “${q}”`) + (offline ? " on this device (you're offline)." : ".") + (answer.notice ? ` ${answer.notice}` : "");
    clear(results);
    if (answer.artists.length) {
      results.append(h("h2", {}, "Artists"), h("ul", { class: "tiles", "aria-label": "Artists" }, answer.artists.map((a) =>
        h("li", {}, h("a", { href: `/artist/${encodeURIComponent(a.id)}`, "data-link": true, class: "tile", "data-result": true },
          a.image ? h("img", { src: a.image, alt: "", width: 56, height: 56, class: "cover round" }) : h("span", { class: "cover blank round" }),
          h("span", {}, a.name))))));
    }
    if (answer.tracks.length) {
      results.append(h("h2", {}, "Songs"), trackList(answer.tracks, {
        lib, label: "Songs", play: (i) => lib.play(answer.tracks, i, { kind: "search", name: `your search “${q}”` }),
      }));
    }
    if (answer.albums.length) {
      results.append(h("h2", {}, "Albums"), h("ul", { class: "tiles", "aria-label": "Albums" }, answer.albums.map((a) =>
        h("li", {}, h("a", { href: `/album/${encodeURIComponent(a.id)}`, "data-link": true, class: "tile", "data-result": true },
          a.image ? h("img", { src: a.image, alt: "", width: 56, height: 56, class: "cover" }) : h("span", { class: "cover blank" }),
          h("span", {}, a.name, h("small", {}, (a.artists ?? []).map((r) => r.name).join(", "))))))));
    }
    for (const button of results.querySelectorAll(".track-row .play")) button.dataset.result = "true";
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value), DEBOUNCE_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      clearTimeout(timer);
      run(input.value);
    }
  });
  const view = h("section", { class: "search", "aria-labelledby": "search-title" },
    h("h1", { id: "search-title" }, "Search"),
    h("div", { class: "field" }, h("label", { for: "search-box" }, "Search Encore"), input, status),
    results);
  // Arrow keys: from the box into the results and between them.
  view.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    if (event.target.closest?.("[role=menu]")) return;
    const stops = [input, ...results.querySelectorAll("[data-result]")];
    const at = stops.indexOf(document.activeElement);
    if (at < 0) return;
    const next = stops[Math.max(0, Math.min(stops.length - 1, at + (event.key === "ArrowDown" ? 1 : -1)))];
    next.focus();
    event.preventDefault();
  });
  view.focusFirst = () => input.focus();
  if (initial) run(initial);
  setTimeout(() => input.focus());
  return view;
}
