"""A listener's Subsonic account (connect, disconnect, status), Subsonic covers, and the
Subsonic side of `GET /api/tracks/<id>/audio` (called from the tracks blueprint)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from quart import Blueprint, Response, request
from quart_schema import validate_querystring, validate_request

from ..app_types import app
from ..errors import ApiError
from ..library.formats import TRANSCODED_MIME
from ..sources.subsonic_tracks import COVER_SIZES
from ..subsonic.errors import SubsonicError, api_error
from ..subsonic.ids import parse_track_id
from ..subsonic.media import cover_response, stream_audio, transcode_here, transcoded_copy
from ..subsonic.urls import BadServerUrl
from . import signed_in

bp = Blueprint("subsonic", __name__, url_prefix="/api/subsonic")


class ConnectBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    url: str = Field(min_length=1, max_length=2048, description="the server's address")
    username: str = Field(default="", max_length=256)
    password: str | None = Field(default=None, min_length=1, max_length=1024)
    api_key: str | None = Field(default=None, min_length=1, max_length=2048)

    @model_validator(mode="after")
    def _one_secret(self) -> ConnectBody:
        if (self.password is None) == (self.api_key is None):
            raise ValueError("give a password or an API key (one of them)")
        if self.password is not None and not self.username.strip():
            raise ValueError("username: needed with a password")
        return self


class NowPlayingBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    track_id: str = Field(min_length=1, max_length=128)
    position_ms: int = Field(default=0, ge=0, le=6 * 3600 * 1000)


class CoverQuery(BaseModel):
    size: int = Field(default=300, description=f"one of {COVER_SIZES}")

    @model_validator(mode="after")
    def _known_size(self) -> CoverQuery:
        if self.size not in COVER_SIZES:
            raise ValueError(f"size: one of {', '.join(map(str, COVER_SIZES))}")
        return self


@bp.get("/status")
@signed_in.required
async def status() -> dict[str, Any]:
    user = await signed_in.user()
    return await app().subsonic.status(user.username)


@bp.post("/connect")
@signed_in.required
@validate_request(ConnectBody)
async def connect(data: ConnectBody) -> dict[str, Any]:
    user = await signed_in.user()
    try:
        answer = await app().subsonic.connect(user.username, data.url, data.username.strip(),
                                              data.password or "", data.api_key or "")
    except BadServerUrl as error:
        raise ApiError(422, "invalid_request", f"url: {error}") from None
    except PermissionError as error:
        raise ApiError(403, "subsonic_host_not_allowed", str(error)) from None
    except OverflowError as error:
        wait = int(error.args[0])
        raise ApiError(429, "too_many_requests", f"Too many attempts; try again in {wait} s.",
                       {"Retry-After": str(wait)}) from None
    except SubsonicError as error:
        raise api_error(error) from None
    app().sources.forget(user.username)
    return answer


@bp.post("/disconnect")
@signed_in.required
async def disconnect() -> Response:
    user = await signed_in.user()
    await app().subsonic.disconnect(user.username)
    app().sources.forget(user.username)
    return Response("", status=204)


@bp.post("/now-playing")
@signed_in.required
@validate_request(NowPlayingBody)
async def now_playing(data: NowPlayingBody) -> Response:
    """The page started a Subsonic track: the server shows it as playing (in the background;
    202 at once, whatever the server does)."""
    user = await signed_in.user()
    source = app().sources.subsonic
    if source is None or not await source.now_playing(user.username, data.track_id,
                                                      data.position_ms):
        raise ApiError(404, "track_not_found",
                       "That Subsonic track is not on a server you are connected to.")
    return Response("", status=202)


# `path:`: a server's cover id may hold a "/" (`string:` spelled out: quart-schema's OpenAPI
# path would lose `{key}` before a converter)
@bp.get("/covers/<string:key>/<path:cover_id>")
@signed_in.required
@validate_querystring(CoverQuery)
async def cover(key: str, cover_id: str, query_args: CoverQuery) -> Response:
    user = await signed_in.user()
    no_cover = ApiError(404, "cover_not_found", "There is no such cover on your Subsonic servers.")
    connection = await app().subsonic.connection_for(user.username, key)
    if connection is None or len(cover_id) > 256:
        raise no_cover
    try:
        data, kind = await app().subsonic_covers.fetch(connection, cover_id, query_args.size)
    except SubsonicError as error:
        raise (no_cover if error.names_nothing else api_error(error)) from None
    return cover_response(data, kind)


async def audio(track_id: str) -> Response:
    """`GET /api/tracks/subsonic-…/audio`: the listener's server streams it through Encore."""
    user = await signed_in.user()  # 401 when not signed in: the audio is theirs
    no_track = ApiError(404, "track_not_found",
                        "That Subsonic track is not on a server you are connected to.")
    parsed = parse_track_id(track_id)
    connection = await app().subsonic.connection_for(user.username, parsed[0]) if parsed else None
    if parsed is None or connection is None:
        raise no_track
    source = app().sources.subsonic
    assert source is not None
    from .tracks import send_audio  # (tracks imports this module)

    transcoder = app().subsonic_transcoder
    try:
        target = await source.format_of(connection, track_id, parsed[1])
        if target != "raw" and (done := transcoded_copy(transcoder, connection, parsed[1])):
            return await send_audio(done, TRANSCODED_MIME, public=False)
        try:
            return await stream_audio(connection, parsed[1], request.headers.get("Range"),
                                      target)
        except SubsonicError as error:
            if target == "raw" or error.unreachable or error.is_auth or error.not_found:
                raise
        # the server cannot transcode it: Encore's ffmpeg does, once
        path = await transcode_here(transcoder, connection, parsed[1])
        return await send_audio(path, TRANSCODED_MIME, public=False)
    except SubsonicError as error:
        raise (no_track if error.names_nothing else api_error(error)) from None
