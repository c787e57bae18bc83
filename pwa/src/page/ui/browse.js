// Artist and album pages: who or what it is, play all (or shuffled), and the tracks; an
// artist's albums link to their pages.
import { h } from "../dom.js";
import { icon } from "../icons.js";
import { artistLinks, counted, trackList } from "./track-list.js";

function playButtons(lib, tracks, context) {
  return h("div", { class: "row" },
    h("button", { type: "button", class: "primary", onclick: () => {
      lib.listening.setShuffle(false);
      lib.play(tracks, 0, context);
    } }, icon("play"), "Play all"),
    h("button", { type: "button", class: "ghost", onclick: () => {
      lib.listening.setShuffle(true);
      lib.play(tracks, Math.floor(Math.random() * tracks.length), context);
    } }, "Shuffle"),
    h("button", { type: "button", class: "ghost", onclick: () => lib.addToQueue(tracks) }, "Add to queue"));
}

export async function artistView(lib, id) {
  let artist;
  try {
    artist = await lib.api(`/api/artists/${encodeURIComponent(id)}`);
  } catch (error) {
    return lib.errorView(error, "Artist");
  }
  artist.tracks.forEach((t) => lib.remember(t));
  const context = { kind: "artist", id, name: artist.name };
  const image = artist.images?.[0]?.url;
  const view = h("section", { class: "browse", "aria-labelledby": "page-title", dataset: { title: artist.name } },
    h("header", { class: "browse-head" },
      image ? h("img", { class: "cover big round", src: image, alt: "", width: 160, height: 160 }) : null,
      h("div", {},
        h("p", { class: "kicker" }, "Artist"),
        h("h1", { id: "page-title" }, artist.name),
        h("p", { class: "hint" }, [artist.genres.slice(0, 4).join(", "), counted(artist.tracks.length, "song")].filter(Boolean).join(" · ")),
        playButtons(lib, artist.tracks, context))),
    h("h2", {}, "Popular"),
    trackList(artist.tracks, { lib, label: `Songs by ${artist.name}`, play: (i) => lib.play(artist.tracks, i, context) }),
    artist.albums.length ? [h("h2", {}, "Albums"), h("ul", { class: "tiles", "aria-label": "Albums" }, artist.albums.map((a) =>
      h("li", {}, h("a", { class: "tile", href: `/album/${encodeURIComponent(a.id)}`, "data-link": true },
        a.images?.[0]?.url ? h("img", { class: "cover", src: a.images[0].url, alt: "", width: 56, height: 56 }) : h("span", { class: "cover blank" }),
        h("span", {}, a.name, h("small", {}, [a.release_year, counted(a.tracks, "song")].filter(Boolean).join(" · "))))))) ] : null);
  return view;
}

export async function albumView(lib, id) {
  let album;
  try {
    album = await lib.api(`/api/albums/${encodeURIComponent(id)}`);
  } catch (error) {
    return lib.errorView(error, "Album");
  }
  album.tracks.forEach((t) => lib.remember(t));
  const context = { kind: "album", id, name: album.name };
  const image = album.images?.[0]?.url;
  return h("section", { class: "browse", "aria-labelledby": "page-title", dataset: { title: album.name } },
    h("header", { class: "browse-head" },
      image ? h("img", { class: "cover big", src: image, alt: `Cover of ${album.name}`, width: 160, height: 160 }) : null,
      h("div", {},
        h("p", { class: "kicker" }, "Album"),
        h("h1", { id: "page-title" }, album.name),
        h("p", { class: "artists" }, ...artistLinks({ artists: album.artists }), album.release_year ? ` · ${album.release_year}` : "",
          ` · ${counted(album.tracks.length, "song")}`),
        playButtons(lib, album.tracks, context))),
    trackList(album.tracks, { lib, label: `Songs on ${album.name}`, numbered: true, showAlbum: false,
      play: (i) => lib.play(album.tracks, i, context) }));
}
