"""/v1/me/player...: Spotify Connect as seen by the Web API. Commands reach the stand-in SDK
through the device's command list (sdk.py long-polls it); the SDK reports back what it plays."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, jsonify, request
from quart.wrappers import Response

from .apiutil import ApiError, caller, catalog, links, require_scope, state, track_from_uri
from .objects import Json, track_object
from .state import Device, Playback

player = Blueprint("player", __name__)


def _premium_only() -> None:
    _, user = caller()
    if user.product != "premium":
        raise ApiError(403, "Player command failed: Premium required", "PREMIUM_REQUIRED")


def _device(device_id: str) -> Device:
    _, user = caller()
    device = state().devices.get(device_id)
    if device is None or device.user_id != user.id:
        raise ApiError(404, "Device not found")
    return device


async def _json_body() -> dict[str, Any]:
    if not await request.get_data():
        return {}
    body = await request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "Malformed json")
    return body


def _play_command(playback: Playback) -> dict[str, Any]:
    tracks = [track_from_uri(uri) for uri in playback.uris]
    return {"type": "play", "index": playback.index, "position_ms": playback.progress_ms,
            "tracks": [{"track": track_object(t, catalog(), links()),
                        "audio_url": links().audio(t)} for t in tracks]}


def device_object(device: Device, active: bool) -> Json:
    return {"id": device.id, "is_active": active, "is_private_session": False,
            "is_restricted": False, "name": device.name, "type": "Computer",
            "volume_percent": round(device.volume * 100), "supports_volume": True}


@player.get("/me/player")
async def playback_state() -> Response:
    require_scope("user-read-playback-state")
    _, user = caller()
    playback = state().playback.get(user.id)
    device = state().devices.get(playback.device_id) if playback else None
    if playback is None or device is None or not playback.uris:
        return Response("", status=204)
    track = track_from_uri(playback.uris[playback.index])
    progress = playback.progress_ms
    if playback.is_playing:  # extrapolate from the SDK's last report, as the real service does
        progress += int((state().now() - playback.timestamp) * 1000)
    return jsonify({
        "device": device_object(device, True),
        "repeat_state": "off",
        "shuffle_state": False,
        "context": None,
        "timestamp": int(playback.timestamp * 1000),
        "progress_ms": min(progress, track.duration_ms),
        "is_playing": playback.is_playing,
        "item": track_object(track, catalog(), links(), previews=not state().new_app_mode),
        "currently_playing_type": "track",
        "actions": {"pausing": not playback.is_playing, "resuming": playback.is_playing},
    })


@player.get("/me/player/devices")
async def devices() -> Response:
    require_scope("user-read-playback-state")
    _, user = caller()
    playback = state().playback.get(user.id)
    active = playback.device_id if playback else None
    return jsonify({"devices": [device_object(d, d.id == active)
                                for d in state().devices.values() if d.user_id == user.id]})


@player.put("/me/player")
async def transfer() -> Response:
    require_scope("user-modify-playback-state")
    _premium_only()
    body = await _json_body()
    ids = body.get("device_ids")
    if not isinstance(ids, list) or len(ids) != 1 or not isinstance(ids[0], str):
        raise ApiError(400, "Exactly one device id must be given in device_ids")
    device = _device(ids[0])
    _, user = caller()
    playback = state().playback.get(user.id)
    if playback is None:
        playback = state().playback[user.id] = Playback(device.id, [], is_playing=False)
    playback.device_id = device.id
    playback.timestamp = state().now()
    if body.get("play") and playback.uris:
        playback.is_playing = True
        device.push(_play_command(playback))
    return Response("", status=204)


@player.put("/me/player/play")
async def play() -> Response:
    require_scope("user-modify-playback-state")
    _premium_only()
    _, user = caller()
    current = state().playback.get(user.id)
    device_id = request.args.get("device_id") or (current.device_id if current else None)
    if device_id is None:
        raise ApiError(404, "Player command failed: No active device found", "NO_ACTIVE_DEVICE")
    device = _device(device_id)
    body = await _json_body()
    uris = body.get("uris")
    if "context_uri" in body:
        uris = _album_uris(str(body["context_uri"]))
    if uris is None:  # resume whatever was playing, on this device
        if current is None or not current.uris:
            raise ApiError(404, "Player command failed: No active device found",
                           "NO_ACTIVE_DEVICE")
        current.device_id, current.is_playing, current.timestamp = device.id, True, state().now()
        device.push({"type": "resume"})
        return Response("", status=204)
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) for u in uris):
        raise ApiError(400, "Invalid uris")
    for uri in uris:
        track_from_uri(uri)
    index = _offset(body.get("offset"), uris)
    position = body.get("position_ms", 0)
    if not isinstance(position, int) or position < 0:
        raise ApiError(400, "Invalid position_ms")
    playback = Playback(device.id, list(uris), index, True, position, state().now())
    state().playback[user.id] = playback
    state().counters["play_commands"] += 1
    device.push(_play_command(playback))
    return Response("", status=204)


@player.put("/me/player/pause")
async def pause() -> Response:
    require_scope("user-modify-playback-state")
    _premium_only()
    _, user = caller()
    playback = state().playback.get(user.id)
    device = state().devices.get(playback.device_id) if playback else None
    if playback is None or device is None:
        raise ApiError(404, "Player command failed: No active device found", "NO_ACTIVE_DEVICE")
    playback.is_playing = False
    device.push({"type": "pause"})
    return Response("", status=204)


def _album_uris(context_uri: str) -> list[str]:
    album_id = context_uri.removeprefix("spotify:album:")
    if album_id == context_uri or album_id not in catalog().albums:
        raise ApiError(400, "Invalid context uri")
    tracks = [t for t in catalog().tracks.values() if t.album_id == album_id]
    return [f"spotify:track:{t.id}" for t in sorted(tracks, key=lambda t: t.track_number)]


def _offset(offset: Any, uris: list[str]) -> int:
    if offset is None:
        return 0
    if isinstance(offset, dict) and isinstance(offset.get("position"), int):
        if 0 <= offset["position"] < len(uris):
            return int(offset["position"])
    elif isinstance(offset, dict) and offset.get("uri") in uris:
        return uris.index(offset["uri"])
    raise ApiError(400, "Invalid offset")
