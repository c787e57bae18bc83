"""Playlists: the listener's own ordered lists of tracks, edited from any device.

Every change bumps the playlist's version, which is its ETag. Replacing the track list (and
renaming with If-Match) needs the version the client edited: a stale one is refused with 412
and the current list, so the client merges or asks, and two devices never overwrite each
other silently. Appending commutes, so "add to playlist" needs no version and retries a race;
it carries the id of the device's edit, so an add the device sends again (its answer was lost,
the page closed before it arrived) adds nothing the second time.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .errors import ApiError
from .sources import MusicSources
from .store import MAX_PLAYLIST_TRACKS, Playlist, PlaylistConflict, PlaylistEditApplied, Store
from .track_lookup import found_tracks, tracks_by_id

MAX_NAME = 100
MAX_PLAYLISTS = 1000  # per user
APPEND_RETRIES = 5
ID_PATTERN = r"^pl-[0-9a-f]{16}$"

TrackId = Annotated[str, Field(min_length=1, max_length=128)]


def _clean_name(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise ValueError("must not be empty")
    if len(value) > MAX_NAME:
        raise ValueError(f"at most {MAX_NAME} characters")
    if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in value):
        raise ValueError("must not contain control characters")
    return value


class NewPlaylist(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: str = Field(max_length=400)
    track_ids: list[TrackId] = Field(default_factory=list, max_length=MAX_PLAYLIST_TRACKS)

    _check_name = field_validator("name")(_clean_name)


class PlaylistPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: str = Field(max_length=400)

    _check_name = field_validator("name")(_clean_name)


class TrackList(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    track_ids: list[TrackId] = Field(max_length=MAX_PLAYLIST_TRACKS)


class TracksToAdd(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    track_ids: list[TrackId] = Field(min_length=1, max_length=500)
    edit_id: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                                description="the device's id of this edit: sent again, it adds "
                                            "nothing")


def _now() -> int:
    return int(time.time() * 1000)


def check_known(track_ids: list[str], known: Callable[[str], bool]) -> None:
    for index, track_id in enumerate(track_ids):
        if not known(track_id):
            raise ApiError(422, "invalid_request",
                           f"track_ids.{index}: unknown track {track_id!r}")


def etag(playlist: Playlist) -> str:
    return f'"{playlist.version}"'


def parse_if_match(header: str | None) -> int | None:
    """The version an If-Match names (`"3"`, `W/"3"` or `3`); None when absent, -1 for `*`."""
    if header is None or not header.strip():
        return None
    value = header.strip()
    if value == "*":
        return -1
    value = value.removeprefix("W/").strip('"')
    if not value.isdigit() or len(value) > 12:
        raise ApiError(400, "bad_request", 'If-Match: the playlist\'s ETag, such as "3"')
    return int(value)


async def get(store: Store, username: str, playlist_id: str) -> Playlist:
    playlist = await store.get_playlist(username, playlist_id) if _valid_id(playlist_id) else None
    if playlist is None:
        raise ApiError(404, "playlist_not_found", "There is no playlist of yours with that id.")
    return playlist


def _valid_id(playlist_id: str) -> bool:
    return (len(playlist_id) == 19 and playlist_id.startswith("pl-")
            and all(c in "0123456789abcdef" for c in playlist_id[3:]))


def _stale(current: Playlist) -> ApiError:
    error = ApiError(412, "playlist_changed",
                     "This playlist changed on another device; merge with its current version.",
                     {"ETag": etag(current)})
    error.extra = {"current": {"version": current.version, "name": current.name,
                               "track_ids": current.track_ids}}
    return error


async def create(store: Store, username: str, body: NewPlaylist, known: Callable[[str], bool],
                 source: str = "encore", source_id: str = "") -> Playlist:
    check_known(body.track_ids, known)
    if len(await store.list_playlists(username)) >= MAX_PLAYLISTS:
        raise ApiError(409, "too_many_playlists", f"You have {MAX_PLAYLISTS} playlists already.")
    now = _now()
    playlist = Playlist(f"pl-{secrets.token_hex(8)}", body.name, 1, list(body.track_ids), now,
                        now, source, source_id)
    await store.create_playlist(username, playlist)
    return playlist


async def _save(store: Store, username: str, playlist: Playlist, expected: int,
                edit_id: str | None = None, **changes: Any) -> Playlist:
    updated = Playlist(**{**playlist.__dict__, **changes, "version": expected + 1,
                          "updated_at": _now()})
    try:
        await store.save_playlist(username, updated, expected, edit_id)
    except PlaylistConflict:
        raise _stale(await get(store, username, playlist.id)) from None
    return updated


async def rename(store: Store, username: str, playlist_id: str, name: str,
                 if_match: int | None) -> Playlist:
    playlist = await get(store, username, playlist_id)
    expected = playlist.version if if_match in (None, -1) else if_match
    if expected != playlist.version:
        raise _stale(playlist)
    return await _save(store, username, playlist, expected, name=name)


async def replace_tracks(store: Store, username: str, playlist_id: str, track_ids: list[str],
                         if_match: int | None, known: Callable[[str], bool]) -> Playlist:
    if if_match is None:
        raise ApiError(428, "if_match_required",
                       "Send If-Match with the playlist's ETag, so another device's changes "
                       "are never overwritten.")
    playlist = await get(store, username, playlist_id)
    expected = playlist.version if if_match == -1 else if_match
    if expected != playlist.version:
        raise _stale(playlist)
    check_known(track_ids, known)
    return await _save(store, username, playlist, expected, track_ids=list(track_ids))


async def append_tracks(store: Store, username: str, playlist_id: str, track_ids: list[str],
                        known: Callable[[str], bool], edit_id: str | None = None) -> Playlist:
    check_known(track_ids, known)
    for _ in range(APPEND_RETRIES):
        playlist = await get(store, username, playlist_id)
        if len(playlist.track_ids) + len(track_ids) > MAX_PLAYLIST_TRACKS:
            raise ApiError(422, "playlist_full",
                           f"A playlist holds at most {MAX_PLAYLIST_TRACKS} tracks.")
        try:
            return await _save(store, username, playlist, playlist.version, edit_id,
                               track_ids=playlist.track_ids + list(track_ids))
        except PlaylistEditApplied:
            return playlist  # sent again: the list already holds it
        except ApiError as error:
            if error.status != 412:
                raise
    raise ApiError(409, "busy", "The playlist kept changing; try again.")


async def delete(store: Store, username: str, playlist_id: str) -> None:
    if not _valid_id(playlist_id) or not await store.delete_playlist(username, playlist_id):
        raise ApiError(404, "playlist_not_found", "There is no playlist of yours with that id.")


def _cover(track: dict[str, Any] | None) -> str | None:
    images = ((track or {}).get("album") or {}).get("images") or []
    return images[0].get("url") if images else None


async def summaries(store: Store, sources: MusicSources, username: str) -> list[dict[str, Any]]:
    playlists = await store.list_playlists(username)
    firsts = [p.track_ids[0] for p in playlists if p.track_ids]
    found = await found_tracks(store, sources, username, firsts)
    return [
        {"id": p.id, "name": p.name, "version": p.version, "track_count": len(p.track_ids),
         "source": p.source, "created_at": p.created_at, "updated_at": p.updated_at,
         "cover": _cover(found.get(p.track_ids[0])) if p.track_ids else None}
        for p in playlists
    ]


async def full(store: Store, sources: MusicSources, username: str,
               playlist: Playlist) -> dict[str, Any]:
    return {"id": playlist.id, "name": playlist.name, "version": playlist.version,
            "source": playlist.source, "created_at": playlist.created_at,
            "updated_at": playlist.updated_at,
            "tracks": await tracks_by_id(store, sources, username, playlist.track_ids)}
