// Your library (liked songs, history, playlists, importing from Spotify) and one playlist:
// play, rename, delete, remove a track, reorder by dragging or by keyboard (Move up / Move down
// buttons, or Alt+↑ / Alt+↓ on a row). Edits save through the edits outbox, offline too.
import { clear, h, toast } from "../dom.js";
import { icon } from "../icons.js";
import { confirmDialog } from "./dialogs.js";
import { counted, trackList } from "./track-list.js";

export async function playlistsView(lib) {
  const list = h("ul", { class: "tiles", id: "playlist-list", "aria-label": "Playlists" });
  const name = h("input", { type: "text", id: "playlist-name", maxlength: 100, autocomplete: "off" });
  const error = h("p", { class: "field-error", role: "alert" });
  const create = h("form", { class: "row", id: "new-playlist" },
    h("label", { for: "playlist-name" }, "New playlist"), name,
    h("button", { type: "submit", class: "primary" }, "Create"), error);
  create.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    name.removeAttribute("aria-invalid");
    if (!name.value.trim()) {  // said here, as for any form field, not sent for a 422
      error.textContent = "Name the playlist first.";
      name.setAttribute("aria-invalid", "true");
      name.focus();
      return;
    }
    try {
      const made = await lib.api("/api/playlists", { method: "POST", body: { name: name.value } });
      lib.navigate(`/playlist/${made.id}`);
    } catch (e) {
      error.textContent = e.code === "offline" ? "Making a playlist needs the network." : e.message.replace(/^name: (Value error, )?/, "Name: ");
      name.setAttribute("aria-invalid", "true");
    }
  });
  async function render() {
    let playlists = [];
    try {
      playlists = await lib.loadPlaylists();
    } catch (e) {
      clear(list).append(h("li", {}, lib.errorView(e, null))); // under the "Playlists" heading
      return;
    }
    clear(list).append(...playlists.map((p) => h("li", {},
      h("a", { class: "tile", href: `/playlist/${p.id}`, "data-link": true },
        p.cover ? h("img", { class: "cover", src: p.cover, alt: "", width: 56, height: 56 }) : h("span", { class: "cover blank" }),
        h("span", {}, p.name, h("small", {}, `${counted(p.track_count, "song")}${p.source === "spotify" ? " · from Spotify" : ""}`))))));
    if (!playlists.length) list.append(h("li", { class: "hint" }, "No playlists yet: make one, or add songs from any ⋯ menu."));
  }
  await render();
  const spotify = lib.me()?.spotify?.connected ? importBox(lib, "spotify", "Spotify", render) : null;
  const subsonic = lib.me()?.subsonic?.connected ? importBox(lib, "subsonic", "your Subsonic server", render) : null;
  return h("section", { "aria-labelledby": "library-title" },
    h("h1", { id: "library-title" }, "Your library"),
    h("ul", { class: "tiles" },
      h("li", {}, h("a", { class: "tile", href: "/liked", "data-link": true }, h("span", { class: "cover blank liked-cover" }, icon("like")), h("span", {}, "Liked songs"))),
      h("li", {}, h("a", { class: "tile", href: "/history", "data-link": true }, h("span", { class: "cover blank" }, icon("refresh")), h("span", {}, "History")))),
    h("h2", {}, "Playlists"), create, list, spotify, subsonic);
}

function importBox(lib, source, from, onImported) {
  const box = h("div", { class: "card soft" }, h("h2", {}, `From ${from}`));
  const show = h("button", { type: "button", class: "ghost", onclick: async () => {
    show.disabled = true;
    try {
      const { playlists } = await lib.api(`/api/playlists/import/${source}`);
      show.replaceWith(h("ul", { class: "plain-list" }, playlists.map((p) => {
        const button = h("button", { type: "button", class: "small", onclick: async () => {
          button.disabled = true;
          try {
            const made = await lib.api("/api/playlists/import", { method: "POST", body: { source, id: p.id } });
            toast(`Imported “${made.name}” (${counted(made.tracks.length, "song")}).`);
            await onImported();
          } catch (e) {
            toast(e.message);
          } finally {
            button.disabled = false;
          }
        } }, p.imported_as ? "Update" : "Import");
        return h("li", { class: "row" }, h("span", {}, `${p.name} (${p.tracks})`), button);
      })));
    } catch (e) {
      toast(e.message);
      show.disabled = false;
    }
  } }, `Show my playlists on ${from}`);
  box.append(show);
  return box;
}

export async function playlistView(lib, id) {
  let playlist;
  try {
    playlist = await lib.api(`/api/playlists/${encodeURIComponent(id)}`);
  } catch (error) {
    return lib.errorView(error, "Playlist");
  }
  let base = playlist.tracks.map((t) => t.id); // what the server had at playlist.version
  let tracks = playlist.tracks;
  tracks.forEach((t) => lib.remember(t));
  const title = h("h1", { id: "page-title" }, playlist.name);
  const count = h("p", { class: "hint", id: "playlist-count" });
  const status = h("p", { class: "hint", role: "status", id: "playlist-status" });
  const holder = h("div", {});
  const context = () => ({ kind: "playlist", id, name: playlist.name });
  // Play and Shuffle only over songs to play; reordering words only when there is an order.
  const playAll = h("button", { type: "button", class: "primary", id: "playlist-play", onclick: () => lib.play(tracks, 0, context()) }, icon("play"), "Play");
  const shuffle = h("button", { type: "button", class: "ghost", id: "playlist-shuffle", onclick: () => {
    lib.listening.setShuffle(true);
    lib.play(tracks, Math.floor(Math.random() * tracks.length), context());
  } }, "Shuffle");
  const reorderHint = h("p", { class: "hint", id: "playlist-reorder-hint" }, "Reorder: drag a song, or use its ↑ ↓ buttons (Alt+↑ / Alt+↓ on a song).");

  let saves = 0; // edits made on this page: a reload that overlaps one must not undo it
  async function save(newTracks, message) {
    saves += 1;
    // The next edit's base is this one's result at once: two quick moves must not look like
    // another device's change to each other (a stale base made the page ask about its own edit).
    const from = base;
    tracks = newTracks;
    base = tracks.map((t) => t.id);
    render();
    await lib.saveTracks(playlist, from, base);
    status.textContent = message;
  }

  function move(from, to) {
    if (to < 0 || to >= tracks.length || from === to) return;
    const next = [...tracks];
    const [track] = next.splice(from, 1);
    next.splice(to, 0, track);
    save(next, `Moved “${track.name}” to position ${to + 1}.`).then(() => {
      holder.querySelector(`.track-row:nth-child(${to + 1}) .move-${to > from ? "down" : "up"}`)?.focus()
        ?? holder.querySelector(`.track-row:nth-child(${to + 1}) .play`)?.focus();
    });
  }

  /** The control the listener is on (its track and kind), to put focus back after a render. */
  function focusedControl() {
    const el = document.activeElement;
    const row = holder.contains(el) ? el.closest(".track-row") : null;
    if (!row) return null;
    const kind = ["move-up", "move-down", "menu-button", "play"].find((c) => el.classList.contains(c)) ?? "play";
    return { id: row.dataset.trackId, index: [...row.parentNode.children].indexOf(row), kind };
  }

  function refocus(spot) {
    if (!spot) return;
    const rows = [...holder.querySelectorAll(".track-row")];
    const row = rows.find((r) => r.dataset.trackId === spot.id) ?? rows[Math.min(spot.index, rows.length - 1)];
    (row?.querySelector(`.${spot.kind}:not(:disabled)`) ?? row?.querySelector(".play") ?? holder.querySelector("a, button"))?.focus();
  }

  function render() {
    const spot = focusedControl(); // a re-render must not drop a keyboard user's place
    count.textContent = counted(tracks.length, "song");
    clear(holder).append(tracks.length ? trackList(tracks, {
      lib, label: `Songs in ${playlist.name}`, numbered: true,
      play: (i) => lib.play(tracks, i, context()),
      extraItems: (track, index) => [{ label: "Remove from this playlist", run: () => save(tracks.filter((_, i) => i !== index), `Removed “${track.name}”.`) }],
      decorate: (row, track, index) => {
        row.draggable = true;
        row.tabIndex = -1;
        row.querySelector(".row-actions").prepend(
          h("button", { type: "button", class: "icon small-icon move-up", "aria-label": `Move ${track.name} up`, disabled: index === 0, onclick: () => move(index, index - 1) }, "↑"),
          h("button", { type: "button", class: "icon small-icon move-down", "aria-label": `Move ${track.name} down`, disabled: index === tracks.length - 1, onclick: () => move(index, index + 1) }, "↓"));
        row.addEventListener("keydown", (event) => {
          if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
          event.preventDefault();
          move(index, index + (event.key === "ArrowUp" ? -1 : 1));
        });
        row.addEventListener("dragstart", (event) => {
          event.dataTransfer.setData("text/plain", String(index));
          event.dataTransfer.effectAllowed = "move";
          row.classList.add("dragging");
        });
        row.addEventListener("dragend", () => row.classList.remove("dragging"));
        row.addEventListener("dragover", (event) => event.preventDefault());
        row.addEventListener("drop", (event) => {
          event.preventDefault();
          move(Number(event.dataTransfer.getData("text/plain")), index);
        });
      },
    }) : h("section", { class: "card soft empty-state", id: "playlist-empty", "aria-labelledby": "playlist-empty-title" },
      h("h2", { id: "playlist-empty-title" }, "This playlist is empty"),
      h("p", {}, "To add a song, open its ⋯ menu — in your feed, in search, on an album or an artist's page — and choose “Add to playlist…”."),
      h("a", { href: "/search", "data-link": true, class: "button" }, "Find songs to add")));
    playAll.hidden = shuffle.hidden = !tracks.length;
    reorderHint.hidden = tracks.length < 2;
    refocus(spot);
  }

  async function reload() {
    const before = saves;
    let latest;
    try {
      latest = await lib.api(`/api/playlists/${encodeURIComponent(id)}`);
    } catch {
      return; // offline: keep what is on screen
    }
    if ((await lib.edits.pending()).some((e) => e.playlistId === id)) return; // more to send
    // An edit made while this was asked for: its answer is older than the screen (showing it
    // would undo the move, and the next edit would start from a list the server never had).
    if (saves !== before) return;
    playlist = latest;
    base = playlist.tracks.map((t) => t.id);
    title.textContent = playlist.name;
    // Our own edit came back as sent: the list on screen is already right, leave it (and the
    // listener's focus) alone. Only another device's change redraws it.
    if (base.join("\n") === tracks.map((t) => t.id).join("\n")) return;
    tracks = playlist.tracks;
    render();
  }
  const changed = ({ detail }) => detail.id === id && reload();
  lib.addEventListener("playlist-changed", changed);

  const rename = h("button", { type: "button", class: "ghost", onclick: async () => {
    const input = h("input", { type: "text", id: "rename-playlist", value: playlist.name, maxlength: 100 });
    const form = h("form", { class: "row" }, h("label", { for: "rename-playlist" }, "Name"), input,
      h("button", { type: "submit", class: "primary small" }, "Save"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        playlist = await lib.api(`/api/playlists/${id}`, { method: "PATCH", body: { name: input.value } });
        base = playlist.tracks.map((t) => t.id);
        title.textContent = playlist.name;
        form.replaceWith(rename);
        lib.playlists = null;
        status.textContent = "Renamed.";
      } catch (e) {
        status.textContent = e.code === "offline" ? "Renaming needs the network." : e.message;
      }
    });
    rename.replaceWith(form);
    input.focus();
  } }, "Rename");
  const remove = h("button", { type: "button", class: "danger", onclick: async () => {
    if (!(await confirmDialog({ title: "Delete this playlist?", text: `“${playlist.name}” and its order are gone for good (the songs stay).`, action: "Delete", danger: true }))) return;
    await lib.edits.add({ kind: "playlist-delete", method: "DELETE", path: `/api/playlists/${id}`, playlistId: id });
    lib.playlists = null;
    toast(`Deleted “${playlist.name}”.`);
    lib.navigate("/playlists");
  } }, "Delete");

  render();
  const view = h("section", { class: "browse", "aria-labelledby": "page-title", dataset: { title: playlist.name, playlistId: id } },
    h("header", { class: "browse-head" }, h("div", {},
      h("p", { class: "kicker" }, playlist.source === "spotify" ? "Playlist · from Spotify" : "Playlist"), title, count,
      h("div", { class: "row" },
        playAll, shuffle, rename, remove),
      reorderHint, status)),
    holder);
  view.dispose = () => lib.removeEventListener("playlist-changed", changed);
  return view;
}
