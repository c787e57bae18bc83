"""GET /api/feed, GET /api/model (the on-device ranker's snapshot), GET /api/catalog/genres."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, jsonify, request

from .. import sessions
from ..app_types import app
from ..catalog.demo import demo_genres
from ..errors import ApiError
from ..feed import build_feed

bp = Blueprint("feed", __name__, url_prefix="/api")


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ApiError(422, "invalid_request", f"{name}: a whole number from {low} to {high}")
    return int(raw)


@bp.get("/feed")
@sessions.login_required
async def feed() -> dict[str, Any]:
    user = await sessions.current_user()
    limit = _int_arg("limit", 30, 1, 100)
    pool = max(limit, _int_arg("pool", 200, 1, 1000))
    refresh = request.args.get("refresh", "0") in ("1", "true")
    source = request.args.get("source")
    if source not in (None, "demo"):
        raise ApiError(422, "invalid_request", "source: only 'demo' can be asked for")
    return await build_feed(user, limit, pool, refresh, source)


@bp.get("/model")
@sessions.login_required
async def model_snapshot() -> Response:
    user = await sessions.current_user()
    version, snapshot = await app().models.local.snapshot(user.username)
    etag = f'"{version}"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = Response("", status=304)
    else:
        response = jsonify({"model_version": version, "snapshot": snapshot})
    response.headers["ETag"] = etag
    return response


@bp.get("/catalog/genres")
async def genres() -> dict[str, Any]:
    return {"genres": demo_genres()}
