"""Connecting Spotify (OAuth code + PKCE, the server as the client) and SDK tokens."""

from __future__ import annotations

import hmac
import time

from pydantic import BaseModel, Field
from quart import Blueprint, Response, redirect, request
from quart_schema import validate_querystring
from werkzeug.wrappers import Response as WerkzeugResponse

from .. import sessions
from ..app_types import app
from ..errors import ApiError
from ..spotify import SpotifyError

bp = Blueprint("spotify", __name__)


def _redirect_uri() -> str:
    configured = app().config["SPOTIFY_REDIRECT_URI"]
    return configured or f"{request.scheme}://{request.host}/auth/spotify/callback"


def _require_configured() -> None:
    if not app().spotify.configured:
        raise ApiError(
            503,
            "spotify_not_configured",
            "Spotify is not set up on this server (ENCORE_SPOTIFY_CLIENT_ID).",
        )


@bp.get("/auth/spotify/login")
@sessions.login_required
async def login() -> WerkzeugResponse:
    _require_configured()
    session = await sessions.current_session()
    assert session is not None  # login_required
    url = app().spotify.begin_login(session, _redirect_uri())
    await sessions.save_session(session)
    return redirect(url, 302)


class CallbackQuery(BaseModel):
    """What Spotify's /authorize redirects back with (RFC 6749 4.1.2)."""

    state: str | None = Field(None, max_length=256)
    code: str | None = Field(None, max_length=4096)
    error: str | None = Field(None, max_length=256)


@bp.get("/auth/spotify/callback")
@sessions.login_required
@validate_querystring(CallbackQuery)
async def callback(query_args: CallbackQuery) -> WerkzeugResponse:
    _require_configured()
    session = await sessions.current_session()
    assert session is not None
    pending = session.data.pop("spotify_oauth", None)
    await sessions.save_session(session)  # the state is one-time, whatever happens next
    state = query_args.state or ""
    if (
        not pending
        or not state
        or pending["expires_at"] < time.time()
        or not hmac.compare_digest(state, pending["state"])
    ):
        raise ApiError(400, "invalid_state", "This Spotify sign-in link is stale or not yours.")
    if query_args.error:
        return redirect("/?spotify=denied", 302)
    code = query_args.code or ""
    if not code or len(code) > 2048:
        raise ApiError(400, "invalid_request", "The callback has no authorization code.")
    try:
        await app().spotify.complete_login(session.username, pending, code)
    except SpotifyError as error:
        raise ApiError(
            400 if error.status < 500 else 502, "spotify_failed", error.message
        ) from None
    return redirect("/?spotify=connected", 302)


@bp.get("/api/spotify/token")
@sessions.login_required
async def token() -> dict[str, object]:
    user = await sessions.current_user()
    try:
        access_token, expires_at = await app().spotify.access_token(user.username)
    except SpotifyError as error:
        code = "spotify_not_connected" if error.status == 409 else "spotify_failed"
        raise ApiError(error.status, code, error.message) from None
    return {"access_token": access_token, "expires_at": expires_at}


@bp.post("/api/spotify/disconnect")
@sessions.login_required
async def disconnect() -> Response:
    user = await sessions.current_user()
    await app().spotify.disconnect(user.username)
    return Response("", status=204)
