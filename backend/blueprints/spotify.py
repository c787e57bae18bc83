"""Connecting Spotify (OAuth code + PKCE, the server as the client) and SDK tokens."""

from __future__ import annotations

import hmac
import time

from pydantic import BaseModel, Field
from quart import Blueprint, Response, redirect, request
from quart_schema import validate_querystring
from werkzeug.wrappers import Response as WerkzeugResponse

from ..app_types import app
from ..errors import ApiError
from ..security import own_origin
from ..spotify import SpotifyError
from . import signed_in

bp = Blueprint("spotify", __name__)


def _redirect_uri() -> str:
    settings = app().settings
    origin = own_origin(settings, request.scheme, request.host)
    return settings.spotify_redirect_uri or f"{origin}/auth/spotify/callback"


def _require_configured() -> None:
    if not app().spotify.configured:
        raise ApiError(
            503,
            "spotify_not_configured",
            "Spotify is not set up on this server (ENCORE_SPOTIFY_CLIENT_ID).",
        )


RETURN_PAGES = ("/", "/welcome", "/settings")  # where a connect may come back to; nothing else


class LoginQuery(BaseModel):
    """Where the listener started from: they come back there (onboarding keeps their picks).
    Anything but one of Encore's own pages is ignored: never a redirect off-site."""

    next: str | None = Field(None, max_length=64, description="/, /welcome or /settings")


@bp.get("/auth/spotify/login")
@signed_in.required
@validate_querystring(LoginQuery)
async def login(query_args: LoginQuery) -> WerkzeugResponse:
    _require_configured()
    session = await signed_in.session()
    url = app().spotify.begin_login(session, _redirect_uri())
    session.data["spotify_next"] = query_args.next if query_args.next in RETURN_PAGES else "/"
    await signed_in.save(session)
    return redirect(url, 302)


class CallbackQuery(BaseModel):
    """What Spotify's /authorize redirects back with (RFC 6749 4.1.2)."""

    state: str | None = Field(None, max_length=256)
    code: str | None = Field(None, max_length=4096)
    error: str | None = Field(None, max_length=256)


@bp.get("/auth/spotify/callback")
@signed_in.required
@validate_querystring(CallbackQuery)
async def callback(query_args: CallbackQuery) -> WerkzeugResponse:
    _require_configured()
    session = await signed_in.session()
    pending = session.data.pop("spotify_oauth", None)
    back = session.data.pop("spotify_next", "/")
    back = back if back in RETURN_PAGES else "/"
    await signed_in.save(session)  # the state is one-time, whatever happens next
    state = query_args.state or ""
    if (
        not pending
        or not state
        or pending["expires_at"] < time.time()
        or not hmac.compare_digest(state, pending["state"])
    ):
        raise ApiError(400, "invalid_state", "This Spotify sign-in link is stale or not yours.")
    if query_args.error:
        return redirect(f"{back}?spotify=denied", 302)  # the page says so
    code = query_args.code or ""
    if not code or len(code) > 2048:
        raise ApiError(400, "invalid_request", "The callback has no authorization code.")
    try:
        await app().spotify.complete_login(session.username, pending, code)
    except SpotifyError as error:
        raise ApiError(
            400 if error.status < 500 else 502, "spotify_failed", error.message
        ) from None
    return redirect(f"{back}?spotify=connected", 302)


@bp.get("/api/spotify/token")
@signed_in.required
async def token() -> dict[str, object]:
    user = await signed_in.user()
    try:
        access_token, expires_at = await app().spotify.access_token(user.username)
    except SpotifyError as error:
        code = "spotify_not_connected" if error.status == 409 else "spotify_failed"
        raise ApiError(error.status, code, error.message) from None
    return {"access_token": access_token, "expires_at": expires_at}


@bp.post("/api/spotify/disconnect")
@signed_in.required
async def disconnect() -> Response:
    user = await signed_in.user()
    await app().spotify.disconnect(user.username)
    return Response("", status=204)
