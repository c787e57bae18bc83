"""What every Web API route needs: the error type, the state, the caller's token, parameters."""

from __future__ import annotations

import re
from typing import Any

from quart import current_app, g, jsonify, request
from quart.wrappers import Response

from .catalog import Catalog, Track
from .objects import Links
from .state import AccessToken, EmulatorState, User

_ID = re.compile(r"^[0-9A-Za-z]{22}$")


class ApiError(Exception):
    """Becomes `{"error": {"status", "message"[, "reason"]}}` with that status (one handler)."""

    def __init__(self, status: int, message: str, reason: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.reason = status, message, reason
        self.headers = headers or {}

    def response(self) -> Response:
        body: dict[str, Any] = {"status": self.status, "message": self.message}
        if self.reason:
            body["reason"] = self.reason
        response = jsonify({"error": body})
        response.status_code = self.status
        response.headers.update(self.headers)
        return response


def state() -> EmulatorState:
    emulator: EmulatorState = current_app.extensions["spotify_emulator"]
    return emulator


def catalog() -> Catalog:
    return state().catalog


def links() -> Links:
    return Links(state().public_origin or request.host_url.rstrip("/"))


def caller() -> tuple[AccessToken, User]:
    """The token and user the gate (webapi.gate) authenticated for this request."""
    token: AccessToken = g.spotify_token
    return token, state().users[token.user_id]


def authenticate(header: str | None) -> AccessToken:
    """Bearer token check with Spotify's three 401 messages."""
    if not header or not header.startswith("Bearer ") or not header[7:].strip():
        raise ApiError(401, "No token provided")
    token = state().access_tokens.get(header[7:].strip())
    if token is None:
        raise ApiError(401, "Invalid access token")
    if token.expires_at <= state().now():
        raise ApiError(401, "The access token expired")
    return token


def require_scope(scope: str) -> None:
    token, _ = caller()
    if scope not in token.scope.split():
        raise ApiError(403, "Insufficient client scope")


def int_param(name: str, default: int, low: int, high: int | None) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"Invalid {name}") from None
    if value < low or (high is not None and value > high):
        raise ApiError(400, f"Invalid {name}")
    return value


def id_list(name: str, maximum: int) -> list[str]:
    raw = request.args.get(name, "")
    ids = [i for i in raw.split(",") if i]
    if not ids:
        raise ApiError(400, f"Missing required parameter: {name}" if name not in request.args
                       else "invalid request")
    if len(ids) > maximum:
        raise ApiError(400, "Too many ids requested")
    for i in ids:
        check_id(i)
    return ids


def check_id(spotify_id: str) -> str:
    if not _ID.match(spotify_id):
        raise ApiError(400, "invalid id")
    return spotify_id


def track_or_404(track_id: str) -> Track:
    track = catalog().tracks.get(check_id(track_id))
    if track is None:
        raise ApiError(404, "Resource not found")
    return track


def track_from_uri(uri: str) -> Track:
    prefix = "spotify:track:"
    track = catalog().tracks.get(uri[len(prefix):]) if uri.startswith(prefix) else None
    if track is None:
        raise ApiError(400, f"Invalid track uri: {uri}")
    return track


def forbid_for_new_apps() -> None:
    """Since Nov 2024 new / development-mode apps get 403 from some endpoints."""
    if state().new_app_mode:
        raise ApiError(403, "Forbidden")
