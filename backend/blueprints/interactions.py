"""POST and GET /api/interactions."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from quart import Blueprint
from quart_schema import validate_querystring

from .. import interactions, likes
from ..app_types import app
from ..errors import ApiError
from ..inputs import QueryInt, validate_json
from ..interactions import InteractionBatch
from . import signed_in

bp = Blueprint("interactions", __name__, url_prefix="/api/interactions")


@bp.post("")
@signed_in.required
@validate_json(InteractionBatch)  # validate_request's, parsed in Rust first (a hot route)
async def post_interactions(data: InteractionBatch) -> dict[str, Any]:
    user = await signed_in.user()
    unknown = interactions.unknown_tracks(app().sources, data)
    if unknown:
        index, item = unknown[0]
        raise ApiError(
            422,
            "invalid_request",
            f"interactions.{index}.track_id: unknown track {item.track_id!r}",
        )
    result, fresh = await interactions.record(app().store, app().models, user.username, data)
    app().metrics.interactions_stored.inc(len(result.accepted))
    if fresh and app().sources.hear(fresh):  # Subsonic: scrobble, star
        app().add_background_task(app().sources.listened, user.username, fresh)
    await likes.remember(app().store, user.username, data.interactions, result.accepted)
    return {"accepted": result.accepted, "duplicates": result.duplicates}


class HistoryQuery(BaseModel):
    limit: QueryInt = Field(50, ge=1, le=500)
    cursor: str | None = Field(None, max_length=512, description="next_cursor of the last page")


@bp.get("")
@signed_in.required
@validate_querystring(HistoryQuery)
async def list_interactions(query_args: HistoryQuery) -> dict[str, Any]:
    user = await signed_in.user()
    try:
        page = await app().store.list_interactions(
            user.username, query_args.limit, query_args.cursor or None
        )
    except ValueError:
        raise ApiError(422, "invalid_request", "cursor: not one this server gave out") from None
    return {
        "interactions": [i.to_dict() for i in page.interactions],
        "next_cursor": page.next_cursor,
    }
