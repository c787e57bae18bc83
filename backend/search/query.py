"""GET /api/search: tracks, artists and albums across the listener's sources, best first.

Hits come from the sources the listener's feed plays, decided in one place for both
(MusicSources.playing): the search index (the demo catalog, local folders) holds every source's
tracks and answers only from those, scored by text.py; when Spotify is one of them, Spotify's own
search adds its hits after them (a Spotify failure only adds a notice). Artists and albums are
those of the matching tracks whose own names match the query.
"""

from __future__ import annotations

import logging
from typing import Any

from ..sources import MusicSources
from ..sources.spotify import to_track
from ..sources.subsonic import SubsonicSource
from ..spotify import SpotifyError, SpotifyService
from ..store import Store
from ..track_lookup import found_tracks
from . import text
from .index import Entry, SearchIndex

log = logging.getLogger("encore.search")
TYPES = ("track", "artist", "album")
MAX_WORDS = 8
SPOTIFY_LIMIT = 10  # Spotify's search answers at most 10 per type for new apps


def _ranked(query: list[str], candidates: list[Entry]) -> list[tuple[float, Entry]]:
    scored = [(text.score(query, e.fields), e) for e in candidates]
    scored = [(s, e) for s, e in scored if s > 0.0]
    scored.sort(key=lambda se: (-se[0], -int(se[1].meta.get("pop") or 0), se[1].fields["name"],
                                se[1].id))
    return scored


def _artists(query: list[str], scored: list[tuple[float, Entry]],
             limit: int) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for _, entry in scored:
        for artist_id, name in entry.meta.get("artists") or []:
            key = artist_id or name
            match = text.score(query, {"name": text.fold(name)})
            if not key or match <= 0.0:
                continue
            artist = found.setdefault(key, {"id": artist_id, "name": name,
                                            "source": entry.id.split("-", 1)[0],
                                            "image": (entry.meta.get("album") or [None] * 3)[2],
                                            "tracks": 0, "_score": match})
            artist["tracks"] += 1
    ranked = sorted(found.values(), key=lambda a: (-a["_score"], -a["tracks"], a["name"]))
    return [{k: v for k, v in a.items() if k != "_score"} for a in ranked[:limit]]


def _albums(query: list[str], scored: list[tuple[float, Entry]],
            limit: int) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for _, entry in scored:
        album_id, name, image = (entry.meta.get("album") or ["", "", None])[:3]
        artists = entry.meta.get("artists") or []
        match = text.score(query, {"name": text.fold(name),
                                   "artists": text.fold(" ".join(n for _, n in artists))})
        if not album_id or not name or match <= 0.0 or album_id in found:
            continue
        found[album_id] = {"id": album_id, "name": name, "image": image,
                           "source": entry.id.split("-", 1)[0],
                           "artists": [{"id": i, "name": n} for i, n in artists],
                           "_score": match}
    ranked = sorted(found.values(), key=lambda a: (-a["_score"], a["name"]))
    return [{k: v for k, v in a.items() if k != "_score"} for a in ranked[:limit]]


async def _spotify(spotify: SpotifyService, sources: MusicSources, username: str, q: str,
                   types: list[str], limit: int) -> dict[str, list[dict[str, Any]]]:
    answer = await spotify.api(username, "GET", "/search", params={
        "q": q, "type": ",".join(types), "limit": min(limit, SPOTIFY_LIMIT)})
    tracks = [to_track(t) for t in (answer.get("tracks") or {}).get("items") or []
              if t and t.get("id")]
    sources.remember_tracks(tracks)

    def image(obj: dict[str, Any]) -> str | None:
        images = obj.get("images") or (obj.get("album") or {}).get("images") or []
        return images[0].get("url") if images else None

    return {
        "tracks": tracks,
        "artists": [{"id": a["id"], "name": a.get("name", ""), "source": "spotify",
                     "image": image(a), "tracks": None}
                    for a in (answer.get("artists") or {}).get("items") or [] if a and a.get("id")],
        "albums": [{"id": a["id"], "name": a.get("name", ""), "source": "spotify",
                    "image": image(a),
                    "artists": [{"id": r.get("id", ""), "name": r.get("name", "")}
                                for r in a.get("artists") or []]}
                   for a in (answer.get("albums") or {}).get("items") or [] if a and a.get("id")],
    }


async def _subsonic(subsonic: SubsonicSource, username: str, q: str,
                    limit: int) -> dict[str, Any]:
    found = await subsonic.search(username, q.strip(), limit)
    return {"tracks": found.tracks, "artists": found.artists, "albums": found.albums,
            "notice": found.notice}


async def search(index: SearchIndex, store: Store, sources: MusicSources,
                 spotify: SpotifyService, username: str, settings: dict[str, Any], q: str,
                 types: list[str], limit: int) -> dict[str, Any]:
    """Hits from the sources the listener's feed plays (MusicSources.playing: the demo
    catalog only when the feed plays it), Spotify's search among them when it is one."""
    query = text.words(q)[:MAX_WORDS]
    answer: dict[str, Any] = {"query": q, "tracks": [], "artists": [], "albums": [],
                              "notice": None}
    if not query:
        return answer
    playing = await sources.playing(username, settings)
    scored = _ranked(query, await index.candidates(query, tuple(playing)))
    if "track" in types:
        ids = [e.id for _, e in scored[:limit]]
        found = await found_tracks(store, sources, username, ids)
        answer["tracks"] = [found[i] for i in ids if i in found]
    if "artist" in types:
        answer["artists"] = _artists(query, scored, limit)
    if "album" in types:
        answer["albums"] = _albums(query, scored, limit)
    extras = []
    if "subsonic" in playing and sources.subsonic is not None:
        extras.append(await _subsonic(sources.subsonic, username, q, limit))
    if "spotify" in playing:
        try:
            extras.append(await _spotify(spotify, sources, username, q, types, limit))
        except SpotifyError as error:
            extras.append({"notice": f"Spotify's search is not answering ({error.message})."})
    for extra in extras:
        for kind in ("tracks", "artists", "albums"):  # after the local hits
            seen = {item["id"] for item in answer[kind]}
            wanted = kind[:-1] in types
            answer[kind] += [i for i in extra.get(kind, []) if wanted and i["id"] not in seen][
                :limit]
        if extra.get("notice"):
            answer["notice"] = " ".join(filter(None, (answer["notice"], extra["notice"])))
    return answer
