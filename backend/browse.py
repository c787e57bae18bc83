"""Artist and album pages: who or what it is, with its tracks, from whichever source the id
belongs to: the demo catalog (`demo-ar-…`, `demo-al-…`), the listener's Subsonic server
(`subsonic-<server>-artist-…`, `-album-…`: `getArtist`, `getAlbum`), the store's catalog of
local tracks (found through its artist#/album# links), or Spotify (22-character ids)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from .catalog.demo import demo_catalog
from .errors import ApiError
from .sources import MusicSources
from .sources.spotify import to_track
from .spotify import SpotifyError, SpotifyService
from .store import Store
from .subsonic.errors import SubsonicError, api_error
from .subsonic.ids import PREFIX as SUBSONIC

_SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")
MAX_TRACKS = 1000
SPOTIFY_PAGES = 3  # of Spotify's 10-track search pages for an artist's tracks


@cache
def _demo_by(kind: str) -> dict[str, list[dict[str, Any]]]:
    """Demo tracks by artist id or album id, in catalog order."""
    found: dict[str, list[dict[str, Any]]] = {}
    for track in demo_catalog():
        keys = [a["id"] for a in track["artists"]] if kind == "artist" else [track["album"]["id"]]
        for key in keys:
            found.setdefault(key, []).append(track)
    return found


def _copies(tracks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**t, "artists": [dict(a) for a in t["artists"]], "album": dict(t["album"])}
            for t in tracks]


async def _catalog(store: Store, link: str) -> list[dict[str, Any]]:
    ids = await store.catalog_ids(link, MAX_TRACKS)
    found = await store.get_catalog_tracks(ids) if ids else {}
    return [found[i].track() for i in ids if i in found and found[i].present]


def _not_found(kind: str) -> ApiError:
    return ApiError(404, f"{kind}_not_found", f"There is no {kind} with that id.")


def _check(item_id: str, kind: str) -> None:
    if not item_id or len(item_id) > 128 or any(ord(ch) < 32 or ord(ch) == 127 for ch in item_id):
        raise _not_found(kind)


def _albums_of(tracks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    albums: dict[str, dict[str, Any]] = {}
    for track in tracks:
        album = track.get("album") or {}
        key = album.get("id") or album.get("name")
        if not key:
            continue
        entry = albums.setdefault(key, {
            "id": album.get("id"), "name": album.get("name", ""),
            "images": album.get("images") or [],
            "release_year": album.get("release_year") or track.get("release_year"),
            "tracks": 0})
        entry["tracks"] += 1
    return sorted(albums.values(), key=lambda a: (-(a["release_year"] or 0), a["name"]))


async def artist(store: Store, sources: MusicSources, spotify: SpotifyService, username: str,
                 artist_id: str) -> dict[str, Any]:
    _check(artist_id, "artist")
    if artist_id.startswith("demo-ar-"):
        tracks = _copies(_demo_by("artist").get(artist_id, []))
    elif _SPOTIFY_ID.match(artist_id):
        tracks = await _spotify_artist(spotify, sources, username, artist_id)
    elif artist_id.startswith(SUBSONIC):
        tracks = await _subsonic(sources, username, "artist", artist_id)
    else:
        tracks = await _catalog(store, f"artist#{artist_id}")
    if not tracks:
        raise _not_found("artist")
    # the track's first artist when none has this id (a Subsonic song's artists may be others)
    name = next((a["name"] for t in tracks for a in t["artists"] if a.get("id") == artist_id),
                tracks[0]["artists"][0]["name"] if tracks[0]["artists"] else "")
    genres = list(dict.fromkeys(g for t in tracks for g in t.get("genres") or []))
    popular = sorted(tracks, key=lambda t: -int(t.get("popularity") or 0))
    albums = _albums_of(tracks)
    return {"id": artist_id, "name": name, "source": tracks[0].get("source"),
            "genres": genres, "images": albums[0]["images"] if albums else [],
            "tracks": popular, "albums": albums}


async def album(store: Store, sources: MusicSources, spotify: SpotifyService, username: str,
                album_id: str) -> dict[str, Any]:
    _check(album_id, "album")
    if album_id.startswith("demo-al-"):
        tracks = _copies(_demo_by("album").get(album_id, []))
    elif _SPOTIFY_ID.match(album_id):
        tracks = await _spotify_album(spotify, sources, username, album_id)
    else:
        tracks = await (_subsonic(sources, username, "album", album_id)
                        if album_id.startswith(SUBSONIC) else _catalog(store, f"album#{album_id}"))
        tracks.sort(key=lambda t: (int(t.get("disc_number") or 1),
                                   int(t.get("track_number") or 0), t["name"]))
    if not tracks:
        raise _not_found("album")
    first = tracks[0]["album"]
    artists = list({a.get("id") or a["name"]: a for t in tracks for a in t["artists"]}.values())
    return {"id": album_id, "name": first.get("name", ""), "images": first.get("images") or [],
            "release_year": first.get("release_year") or tracks[0].get("release_year"),
            "source": tracks[0].get("source"), "artists": artists, "tracks": tracks}


async def _subsonic(sources: MusicSources, username: str, kind: str,
                    item: str) -> list[dict[str, Any]]:
    if sources.subsonic is None:
        return []
    try:
        return await sources.subsonic.browse(username, kind, item)
    except SubsonicError as error:
        raise api_error(error) from None


def _spotify_failed(error: SpotifyError) -> ApiError:
    if error.status in (400, 404):
        return ApiError(404, "not_found", "Spotify has nothing with that id.")
    if error.status == 409:
        return ApiError(409, "spotify_not_connected", error.message)
    return ApiError(502, "spotify_failed", f"Spotify: {error.message}")


async def _spotify_artist(spotify: SpotifyService, sources: MusicSources, username: str,
                          artist_id: str) -> list[dict[str, Any]]:
    try:
        found = await spotify.api(username, "GET", f"/artists/{artist_id}")
        tracks: dict[str, dict[str, Any]] = {}
        for page in range(SPOTIFY_PAGES):
            answer = await spotify.api(username, "GET", "/search", params={
                "q": f'artist:"{found.get("name", "")}"', "type": "track", "limit": 10,
                "offset": page * 10})
            items = (answer.get("tracks") or {}).get("items") or []
            for item in items:
                if item and any(a.get("id") == artist_id for a in item.get("artists") or []):
                    tracks.setdefault(item["id"], to_track(item, found.get("genres")))
            if len(items) < 10:
                break
    except SpotifyError as error:
        raise _spotify_failed(error) from None
    sources.remember_tracks(list(tracks.values()))
    return list(tracks.values())


async def _spotify_album(spotify: SpotifyService, sources: MusicSources, username: str,
                         album_id: str) -> list[dict[str, Any]]:
    try:
        found = await spotify.api(username, "GET", f"/albums/{album_id}")
    except SpotifyError as error:
        raise _spotify_failed(error) from None
    shell = {k: found.get(k) for k in ("id", "name", "images", "release_date")}
    tracks = [to_track({**item, "album": shell})
              for item in (found.get("tracks") or {}).get("items") or [] if item and item.get("id")]
    sources.remember_tracks(tracks)
    return tracks
