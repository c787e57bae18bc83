"""/__emulator/...: the test hooks, for tests that run the emulator in another process
(`python -m tests.fakes.spotify`). In-process tests use `RunningEmulator.state` directly."""

from __future__ import annotations

from quart import Blueprint, jsonify, request
from quart.wrappers import Response

from .apiutil import state

hooks = Blueprint("hooks", __name__, url_prefix="/__emulator")


@hooks.get("/health")
async def health() -> Response:
    return jsonify({"ok": True})


@hooks.get("/state")
async def snapshot() -> Response:
    emulator = state()
    return jsonify({"switches": emulator.switches, "counters": dict(emulator.counters),
                    "redirect_uris": sorted(emulator.client.redirect_uris),
                    "users": {u.id: u.product for u in emulator.users.values()},
                    "devices": {d.id: d.user_id for d in emulator.devices.values()}})


@hooks.post("/switches")
async def switches() -> Response:
    body = await request.get_json(force=True, silent=True)
    try:
        state().set(**(body or {}))
    except (TypeError, ValueError) as err:
        return Response(str(err), status=400)
    return jsonify(state().switches)


@hooks.post("/revoke")
async def revoke() -> Response:
    body = await request.get_json(force=True, silent=True) or {}
    count = state().revoke_user(str(body.get("user_id")),
                                access_tokens=bool(body.get("access_tokens")))
    return jsonify({"revoked": count})


@hooks.post("/redirect-uris")
async def redirect_uris() -> Response:
    body = await request.get_json(force=True, silent=True) or {}
    state().register_redirect_uri(str(body["uri"]))
    return jsonify(sorted(state().client.redirect_uris))


@hooks.post("/advance")
async def advance() -> Response:
    body = await request.get_json(force=True, silent=True) or {}
    state().advance(float(body.get("seconds", 0)))
    return jsonify({"time_offset": state().time_offset})
