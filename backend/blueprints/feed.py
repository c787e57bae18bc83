"""GET /api/feed, GET /api/model (the on-device ranker's snapshot), GET /api/catalog/genres."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field
from quart import Blueprint, Response, jsonify, request
from quart_schema import validate_querystring

from ..app_types import app
from ..catalog.demo import demo_genres
from ..feed import MAX_SHOWN, build_feed
from ..inputs import QueryInt
from . import signed_in

bp = Blueprint("feed", __name__, url_prefix="/api")


class FeedQuery(BaseModel):
    limit: QueryInt = Field(30, ge=1, le=100, description="tracks to show")
    pool: QueryInt = Field(200, ge=1, le=1000, description="ranked candidates for offline use")
    refresh: bool = Field(False, description="move what was shown out of the way")
    source: Literal["all", "demo", "spotify", "local", "subsonic"] | None = Field(
        None, description="one source (all: every source the listener has)")
    shown: str = Field(
        "", max_length=4000, pattern=r"^([A-Za-z0-9:_.\-]+(,[A-Za-z0-9:_.\-]+)*)?$",
        description="with refresh: comma-separated ids the listener had on screen",
    )


@bp.get("/feed")
@signed_in.required
@validate_querystring(FeedQuery)
async def feed(query_args: FeedQuery) -> dict[str, Any]:
    user = await signed_in.user()
    return await build_feed(
        app().store,
        app().sources,
        app().models,
        await signed_in.session(),
        user,
        limit=query_args.limit,
        pool_size=max(query_args.limit, query_args.pool),
        refresh=query_args.refresh,
        source=query_args.source,
        on_screen=[i for i in query_args.shown.split(",") if i][:MAX_SHOWN],
    )


@bp.get("/model")
@signed_in.required
async def model_snapshot() -> Response:
    user = await signed_in.user()
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
