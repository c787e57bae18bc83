"""Importing the listener's playlists from Spotify and from their Subsonic servers into Encore.

An imported playlist is an Encore playlist like any other (`source` says where it came from);
importing the same one again updates it in place rather than making a copy.
"""

from __future__ import annotations

import time
from typing import Any

from .errors import ApiError
from .playlists import NewPlaylist, create
from .sources import MusicSources
from .sources.spotify import to_track
from .sources.subsonic import SubsonicSource
from .spotify import SpotifyError, SpotifyNotConnected, SpotifyService
from .store import MAX_PLAYLIST_TRACKS, Playlist, PlaylistConflict, Store
from .subsonic.errors import SubsonicError, api_error
from .subsonic.service import SubsonicService

MAX_LISTED = 200  # of the listener's Spotify playlists, shown to pick from
PAGE = 100  # items per /playlists/{id}/items request (Spotify's maximum)


def _failed(error: SpotifyError) -> ApiError:
    if isinstance(error, SpotifyNotConnected):
        return ApiError(409, "spotify_not_connected", error.message)
    if error.status == 403:
        return ApiError(403, "spotify_forbidden",
                        "Spotify does not let Encore read that playlist (only your own and "
                        "collaborative ones can be imported; reconnect Spotify if it is yours).")
    if error.status == 404:
        return ApiError(404, "spotify_playlist_not_found", "Spotify has no such playlist.")
    return ApiError(502, "spotify_failed", f"Spotify: {error.message}")


async def spotify_playlists(spotify: SpotifyService, store: Store,
                            username: str) -> list[dict[str, Any]]:
    """The listener's Spotify playlists: `[{id, name, tracks, owner, images, imported_as}]`."""
    found: list[dict[str, Any]] = []
    try:
        while len(found) < MAX_LISTED:
            page = await spotify.api(username, "GET", "/me/playlists",
                                     params={"limit": 50, "offset": len(found)})
            items = [p for p in page.get("items") or [] if p and p.get("id")]
            found += items
            if not items or not page.get("next"):
                break
    except SpotifyError as error:
        raise _failed(error) from None
    imported = {p.source_id: p.id for p in await store.list_playlists(username)
                if p.source == "spotify"}
    return [{"id": p["id"], "name": p.get("name") or "", "images": p.get("images") or [],
             "tracks": ((p.get("items") or p.get("tracks") or {}).get("total") or 0),
             "owner": (p.get("owner") or {}).get("display_name") or "",
             "imported_as": imported.get(p["id"])}
            for p in found[:MAX_LISTED]]


async def import_spotify(spotify: SpotifyService, sources: MusicSources, store: Store,
                         username: str, spotify_id: str) -> tuple[Playlist, bool]:
    """(the Encore playlist, whether it was created) from one Spotify playlist."""
    try:
        meta = await spotify.api(username, "GET", f"/playlists/{spotify_id}",
                                 params={"fields": "id,name"})
        tracks: list[dict[str, Any]] = []
        offset = 0
        while offset < MAX_PLAYLIST_TRACKS:
            page = await spotify.api(username, "GET", f"/playlists/{spotify_id}/items",
                                     params={"limit": PAGE, "offset": offset})
            items = page.get("items") or []
            for item in items:
                obj = (item or {}).get("item") or (item or {}).get("track")
                if obj and obj.get("type", "track") == "track" and obj.get("id") \
                        and not obj.get("is_local"):
                    tracks.append(to_track(obj))
            offset += len(items)
            if not items or not page.get("next"):
                break
    except SpotifyError as error:
        raise _failed(error) from None
    sources.remember_tracks(tracks)
    name = (meta.get("name") or "Spotify playlist").strip()[:100] or "Spotify playlist"
    return await _keep(store, username, "spotify", spotify_id, name, [t["id"] for t in tracks])


async def _keep(store: Store, username: str, source: str, source_id: str, name: str,
                ids: list[str]) -> tuple[Playlist, bool]:
    """Create the imported playlist, or update the one imported from the same place."""
    ids = ids[:MAX_PLAYLIST_TRACKS]
    for existing in await store.list_playlists(username):
        if existing.source == source and existing.source_id == source_id:
            updated = Playlist(**{**existing.__dict__, "name": name, "track_ids": ids,
                                  "version": existing.version + 1,
                                  "updated_at": int(time.time() * 1000)})
            try:
                await store.save_playlist(username, updated, existing.version)
            except PlaylistConflict:
                raise ApiError(409, "busy", "The playlist changed meanwhile; try again.") from None
            return updated, False
    body = NewPlaylist(name=name, track_ids=ids)
    return await create(store, username, body, lambda _: True, source, source_id), True


def _subsonic_failed(error: SubsonicError) -> ApiError:
    if error.names_nothing:
        return ApiError(404, "subsonic_playlist_not_found",
                        "The Subsonic server has no such playlist.")
    return api_error(error)


async def subsonic_playlists(service: SubsonicService, store: Store,
                             username: str) -> list[dict[str, Any]]:
    """The playlists on the listener's Subsonic servers: `[{id, name, tracks, server, …}]`,
    each id `<server key>:<playlist id>`."""
    imported = {p.source_id: p.id for p in await store.list_playlists(username)
                if p.source == "subsonic"}
    found: list[dict[str, Any]] = []
    for connection in await service.connections(username):
        try:
            playlists = await connection.client.playlists()
        except SubsonicError as error:
            raise _subsonic_failed(error) from None
        for p in playlists[:MAX_LISTED]:
            ident = f"{connection.key}:{p.get('id')}"
            found.append({"id": ident, "name": str(p.get("name") or ""),
                          "tracks": int(p.get("songCount") or 0),
                          "owner": str(p.get("owner") or ""),
                          "server": connection.url, "imported_as": imported.get(ident)})
    return found


async def import_subsonic(service: SubsonicService, subsonic: SubsonicSource, store: Store,
                          username: str, ident: str) -> tuple[Playlist, bool]:
    key, _, playlist_id = ident.partition(":")
    connection = await service.connection_for(username, key)
    if connection is None or not playlist_id:
        raise ApiError(404, "subsonic_playlist_not_found",
                       "None of your Subsonic servers has that playlist.")
    try:
        found = await connection.client.playlist(playlist_id)
    except SubsonicError as error:
        raise _subsonic_failed(error) from None
    songs = found.get("entry") or []
    tracks = [t for t in (subsonic.remember(s, key) for s in songs if isinstance(s, dict)) if t]
    name = (str(found.get("name") or "") or "Subsonic playlist").strip()[:100]
    return await _keep(store, username, "subsonic", ident, name, [t["id"] for t in tracks])
