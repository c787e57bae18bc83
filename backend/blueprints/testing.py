"""Switches for the end-to-end tests, registered only with ENCORE_TEST_HOOKS on (never in
production). The switches act through this blueprint's own request hook, so no production
handler knows they exist."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, current_app, request

from ..errors import ApiError

bp = Blueprint("testing", __name__, url_prefix="/__test__")

# switch name -> the (method, endpoint) whose answer it replaces with that status
FAULTS = {
    "interactions_status": ("POST", "interactions.post_interactions"),
    "audio_status": ("GET", "tracks.track_audio"),
    "audio_status_once": ("GET", "tracks.track_audio"),  # the next audio request only
}
ONCE = "_once"


def _faults() -> dict[str, Any]:
    faults: dict[str, Any] = current_app.extensions.setdefault("encore_test_faults", {})
    return faults


@bp.before_app_request
async def _inject_fault() -> None:
    """Answer the switched endpoint with the chosen status before its handler runs."""
    for name, status in list(_faults().items()):
        if (request.method, request.endpoint) == FAULTS[name]:
            if name.endswith(ONCE):
                _faults().pop(name)
            raise ApiError(int(status), "test_fault", "A test switch made this request fail.")


@bp.post("/faults")
async def set_faults() -> dict[str, Any]:
    """Body such as {"interactions_status": 500}; {"interactions_status": null} clears it."""
    body = await request.get_json(silent=True) or {}
    if not isinstance(body, dict) or not set(body) <= set(FAULTS):
        raise ApiError(422, "invalid_request", f"Known switches: {', '.join(FAULTS)}.")
    for key, value in body.items():
        if value is None:
            _faults().pop(key, None)
        elif isinstance(value, int) and 400 <= value <= 599:
            _faults()[key] = value
        else:
            raise ApiError(422, "invalid_request", f"{key}: an HTTP error status (400-599).")
    return dict(_faults())
