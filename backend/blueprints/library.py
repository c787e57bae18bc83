"""GET /api/library/status (scan and analysis progress, failures) and the library's covers."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, send_file

from ..app_types import app
from ..errors import ApiError
from ..library.covers import valid_key
from . import signed_in

bp = Blueprint("library", __name__, url_prefix="/api/library")

COVER_MAX_AGE = 365 * 24 * 3600  # covers are named by their content's hash: never stale


@bp.get("/status")
@signed_in.required
async def status() -> dict[str, Any]:
    library = app().library
    state = await library.status()
    return {
        "enabled": library.enabled,
        "tracks": int(state.get("tracks") or 0),
        "analysed": int(state.get("analysed") or 0),
        "pending": int(state.get("pending") or 0),
        "failed": [{"path": f["path"], "error": f["error"]} for f in state.get("failed") or []],
        "scanning": bool(state.get("scanning")),
        "eta_s": state.get("eta_s"),
        "phase": state.get("phase", "idle"),
        "progress": state.get("progress") or {"done": 0, "total": 0},
        "scanned_at": state.get("scanned_at"),
        "sources": await app().sources.available((await signed_in.user()).username),
    }


@bp.get("/covers/<key>.jpg")
@signed_in.required
async def cover(key: str) -> Response:
    path = app().library.covers.path(key) if valid_key(key) else None
    if path is None or not path.is_file():
        raise ApiError(404, "cover_not_found", "There is no cover with that id.")
    response = await send_file(path, mimetype="image/jpeg")
    response.headers["Cache-Control"] = f"private, max-age={COVER_MAX_AGE}, immutable"
    return response
