"""The emulator's app factory: `/rest/*` (the Subsonic API) and `/__emulator/*` (test hooks)."""

from __future__ import annotations

from typing import Any

from quart import Quart, jsonify, request
from quart.wrappers import Response

from .api import rest
from .state import EmulatorState


def create_emulator(config: dict[str, Any] | None = None) -> Quart:
    """`config`: `users` [(name, password, api key...)], `catalog` (build_catalog's arguments),
    and any switch of state.SWITCH_DEFAULTS (open_subsonic, extensions, latency_s, ...)."""
    app = Quart(__name__)
    app.extensions["subsonic_emulator"] = EmulatorState(config)
    app.register_blueprint(rest)

    def emulator() -> EmulatorState:
        found: EmulatorState = app.extensions["subsonic_emulator"]
        return found

    @app.get("/__emulator/health")
    async def health() -> Response:
        return jsonify({"ok": True})

    @app.get("/__emulator/state")
    async def snapshot() -> Response:
        state = emulator()
        return jsonify({
            "switches": state.switches,
            "scrobbles": [vars(s) for s in state.scrobbles],
            "reports": [vars(r) for r in state.reports],
            "starred": {a.username: sorted(a.starred) for a in state.accounts.values()},
            "requests": len(state.requests),
        })

    @app.post("/__emulator/switches")
    async def switches() -> Response:
        body = await request.get_json(force=True, silent=True)
        try:
            emulator().set(**(body or {}))
        except (TypeError, ValueError) as err:
            return Response(str(err), status=400)
        return jsonify(emulator().switches)

    @app.get("/")
    async def index() -> Response:
        return jsonify({"emulator": "opensubsonic", "api": "/rest/ping"})

    return app
