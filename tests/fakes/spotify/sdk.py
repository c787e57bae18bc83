"""The stand-in Web Playback SDK: the script itself and the private /__sdk endpoints it uses to
become a Connect device, receive play commands (long-poll) and report what it plays."""

from __future__ import annotations

import asyncio
import json
import secrets
from pathlib import Path

from quart import Blueprint, jsonify, request
from quart.wrappers import Response

from .apiutil import ApiError, authenticate, links, state
from .state import Device

sdk = Blueprint("sdk", __name__)

_SCRIPT = Path(__file__).with_name("player.js")
_FAILURES = {
    "initialization_error": "Failed to initialize player",
    "authentication_error": "Authentication failed",
    "account_error": "This functionality is restricted to premium users only",
}


@sdk.get("/spotify-player.js")
async def script() -> Response:
    source = _SCRIPT.read_text().replace('"__EMULATOR_ORIGIN__"', json.dumps(links().origin))
    return Response(source, content_type="application/javascript; charset=utf-8")


def _failure(kind: str, message: str, status: int) -> Response:
    response = jsonify({"error": {"kind": kind, "message": message}})
    response.status_code = status
    return response


@sdk.post("/__sdk/devices")
async def register() -> Response:
    """connect(): the token decides whose device this is; switches can make it fail."""
    emulator = state()
    failure = emulator.sdk_failure
    if failure:
        return _failure(failure, _FAILURES.get(failure, "Playback failed"), 500)
    try:
        token = authenticate(request.headers.get("Authorization"))
    except ApiError as err:
        return _failure("authentication_error", f"Authentication failed: {err.message}", 401)
    if "streaming" not in token.scope.split():
        return _failure("authentication_error", "Invalid token scopes.", 401)
    if emulator.users[token.user_id].product != "premium":
        return _failure("account_error", _FAILURES["account_error"], 403)
    body = await request.get_json(force=True, silent=True) or {}
    device = Device(secrets.token_hex(20), token.user_id, str(body.get("name", "Web Player")),
                    float(body.get("volume", 1.0)))
    emulator.devices[device.id] = device
    emulator.counters["sdk_connects"] += 1
    return jsonify({"device_id": device.id})


@sdk.get("/__sdk/devices/<device_id>/commands")
async def commands(device_id: str) -> Response:
    """Long-poll: commands after `after`, waiting up to `wait` seconds for the first one."""
    device = state().devices.get(device_id)
    if device is None:
        return Response("", status=404)
    after = int(request.args.get("after", "0"))
    wait = min(float(request.args.get("wait", "0")), 10.0)
    if len(device.commands) <= after and wait > 0:
        device.wakeup = device.wakeup or asyncio.Event()
        device.wakeup.clear()
        try:
            await asyncio.wait_for(device.wakeup.wait(), wait)
        except TimeoutError:
            pass
    return jsonify({"commands": device.commands[after:]})


@sdk.post("/__sdk/devices/<device_id>/state")
async def report(device_id: str) -> Response:
    """What the SDK plays, so GET /v1/me/player tells the truth."""
    emulator = state()
    device = emulator.devices.get(device_id)
    if device is None:
        return Response("", status=404)
    body = await request.get_json(force=True, silent=True) or {}
    playback = emulator.playback.get(device.user_id)
    if playback is not None and playback.device_id == device_id:
        playback.is_playing = not body.get("paused", True)
        playback.progress_ms = int(body.get("position", 0))
        playback.timestamp = emulator.now()
        if body.get("track_uri") in playback.uris:
            playback.index = playback.uris.index(body["track_uri"])
    if "volume" in body:
        device.volume = float(body["volume"])
    emulator.counters["sdk_state_reports"] += 1
    return Response("", status=204)


@sdk.post("/__sdk/devices/<device_id>/disconnect")
async def disconnect(device_id: str) -> Response:
    device = state().devices.pop(device_id, None)
    if device is not None and device.wakeup is not None:
        device.wakeup.set()
    return Response("", status=204)
