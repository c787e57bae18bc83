"""The listener's playlists: list, create, read (ETag), rename, delete, replace the tracks
(If-Match; 412 with the current version when stale), append, and import from Spotify."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from quart import Blueprint, Response, jsonify
from quart_schema import validate_headers, validate_request

from .. import playlist_import, playlists
from ..app_types import app
from ..errors import ApiError
from ..playlists import NewPlaylist, PlaylistPatch, TrackList, TracksToAdd
from ..store import Playlist
from . import signed_in

bp = Blueprint("playlists", __name__, url_prefix="/api/playlists")


class IfMatch(BaseModel):
    if_match: str | None = Field(default=None, max_length=64,
                                 description='the ETag the client edited, such as "3"')


class IfMatchRequired(BaseModel):
    # Required, though None reaches the route: it answers 428 if_match_required (RFC 6585),
    # not the 422 of a missing field. The "required" is quart-schema's mark for the description.
    if_match: str | None = Field(default=None, max_length=64, json_schema_extra={"required": True},
                                 description='the ETag the client edited, such as "3"')


class IfNoneMatch(BaseModel):
    if_none_match: str | None = Field(default=None, max_length=1024)


class ImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    source: Literal["spotify", "subsonic"]
    id: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$",
                    description="the playlist's id there (Subsonic: <server key>:<id>)")


async def _answer(playlist: Playlist, status: int = 200) -> Response:
    user = await signed_in.user()
    response = jsonify(await playlists.full(app().store, app().sources, user.username, playlist))
    response.status_code = status
    response.headers["ETag"] = playlists.etag(playlist)
    response.headers["Cache-Control"] = "no-cache"
    if status == 201:
        response.headers["Location"] = f"/api/playlists/{playlist.id}"
    return response


@bp.get("")
@signed_in.required
async def list_playlists() -> dict[str, Any]:
    user = await signed_in.user()
    return {"playlists": await playlists.summaries(app().store, app().sources, user.username)}


@bp.post("")
@signed_in.required
@validate_request(NewPlaylist)
async def create(data: NewPlaylist) -> Response:
    user = await signed_in.user()
    playlist = await playlists.create(app().store, user.username, data, app().sources.known)
    return await _answer(playlist, 201)


@bp.get("/<playlist_id>")
@signed_in.required
@validate_headers(IfNoneMatch)
async def read(playlist_id: str, headers: IfNoneMatch) -> Response:
    user = await signed_in.user()
    playlist = await playlists.get(app().store, user.username, playlist_id)
    if playlists.etag(playlist) in [t.strip() for t in (headers.if_none_match or "").split(",")]:
        return Response("", status=304, headers={"ETag": playlists.etag(playlist)})
    return await _answer(playlist)


@bp.patch("/<playlist_id>")
@signed_in.required
@validate_request(PlaylistPatch)
@validate_headers(IfMatch)
async def rename(playlist_id: str, data: PlaylistPatch, headers: IfMatch) -> Response:
    user = await signed_in.user()
    if_match = playlists.parse_if_match(headers.if_match)
    playlist = await playlists.rename(app().store, user.username, playlist_id, data.name,
                                      if_match)
    return await _answer(playlist)


@bp.delete("/<playlist_id>")
@signed_in.required
async def delete(playlist_id: str) -> Response:
    user = await signed_in.user()
    await playlists.delete(app().store, user.username, playlist_id)
    return Response("", status=204)


@bp.put("/<playlist_id>/tracks")
@signed_in.required
@validate_request(TrackList)
@validate_headers(IfMatchRequired)
async def replace_tracks(playlist_id: str, data: TrackList, headers: IfMatchRequired) -> Response:
    user = await signed_in.user()
    if_match = playlists.parse_if_match(headers.if_match)
    playlist = await playlists.replace_tracks(app().store, user.username, playlist_id,
                                              data.track_ids, if_match, app().sources.known)
    return await _answer(playlist)


@bp.post("/<playlist_id>/tracks")
@signed_in.required
@validate_request(TracksToAdd)
async def append_tracks(playlist_id: str, data: TracksToAdd) -> Response:
    user = await signed_in.user()
    playlist = await playlists.append_tracks(app().store, user.username, playlist_id,
                                             data.track_ids, app().sources.known, data.edit_id)
    return await _answer(playlist)


@bp.get("/import/spotify")
@signed_in.required
async def spotify_playlists() -> dict[str, Any]:
    user = await signed_in.user()
    return {"playlists": await playlist_import.spotify_playlists(app().spotify, app().store,
                                                                 user.username)}


@bp.get("/import/subsonic")
@signed_in.required
async def subsonic_playlists() -> dict[str, Any]:
    user = await signed_in.user()
    return {"playlists": await playlist_import.subsonic_playlists(app().subsonic, app().store,
                                                                  user.username)}


@bp.post("/import")
@signed_in.required
@validate_request(ImportRequest)
async def import_playlist(data: ImportRequest) -> Response:
    user = await signed_in.user()
    if data.source == "subsonic":
        subsonic = app().sources.subsonic
        if subsonic is None:
            raise ApiError(409, "subsonic_not_connected", "No Subsonic server is set up.")
        playlist, created = await playlist_import.import_subsonic(
            app().subsonic, subsonic, app().store, user.username, data.id)
        return await _answer(playlist, 201 if created else 200)
    if not app().spotify.configured:
        raise ApiError(503, "spotify_not_configured", "Spotify is not set up on this server.")
    if not re.fullmatch(r"[0-9A-Za-z]{22}", data.id):
        raise ApiError(422, "invalid_request", "id: a Spotify playlist id (22 letters and digits)")
    playlist, created = await playlist_import.import_spotify(
        app().spotify, app().sources, app().store, user.username, data.id)
    return await _answer(playlist, 201 if created else 200)
