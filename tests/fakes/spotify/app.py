"""The emulator's one app factory: accounts.spotify.com, api.spotify.com/v1, the SDK script and
its media on one origin, so a browser test can route all three Spotify hosts to it."""

from __future__ import annotations

from typing import Any

from quart import Quart, jsonify, request
from quart.wrappers import Response
from werkzeug.exceptions import HTTPException

from .accounts import accounts
from .apiutil import ApiError
from .hooks import hooks
from .media import media
from .sdk import sdk
from .state import EmulatorState
from .webapi import api


def create_emulator(config: dict[str, Any] | None = None) -> Quart:
    """`config`: client_id, client_secret, client_name, redirect_uris, seed, public_origin, and
    any switch from state.SWITCH_DEFAULTS (new_app_mode, rate_limit, token_ttl, ...)."""
    app = Quart(__name__)
    app.extensions["spotify_emulator"] = EmulatorState(config)
    for blueprint in (accounts, api, sdk, media, hooks):
        app.register_blueprint(blueprint)

    @app.before_request
    async def read_the_body() -> None:
        # Every request's body is read before a handler may answer early (a 403, a switch's
        # failure): Hypercorn closes a connection whose request body was left unread, and the
        # client's next request on it then got "Server disconnected without sending a response".
        await request.get_data()

    @app.errorhandler(ApiError)
    async def api_error(err: ApiError) -> Response:
        return err.response()

    @app.errorhandler(HTTPException)
    async def http_error(err: HTTPException) -> Response:
        if request.path.startswith("/v1/"):
            message = "Service not found" if err.code == 404 else (err.description or "Error")
            return ApiError(err.code or 500, message).response()
        return err.get_response()  # type: ignore[return-value]

    @app.after_request
    async def cors(response: Response) -> Response:
        # Cross-origin from the app under test; no cookies are involved (Bearer tokens only).
        response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin", "*")
        response.headers["Vary"] = "Origin"
        response.headers["Access-Control-Expose-Headers"] = "Retry-After"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, DELETE, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = request.headers.get(
                "Access-Control-Request-Headers", "Authorization, Content-Type")
            response.headers["Access-Control-Allow-Private-Network"] = "true"
            response.headers["Access-Control-Max-Age"] = "600"
        return response

    @app.get("/")
    async def index() -> Response:
        return jsonify({"emulator": "spotify", "state": "/__emulator/state"})

    return app
