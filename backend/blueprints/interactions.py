"""POST and GET /api/interactions."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from quart import Blueprint
from quart_schema import validate_querystring

from .. import interactions, likes
from ..app_types import EncoreApp, app
from ..errors import ApiError
from ..inputs import QueryInt, validate_json
from ..interactions import InteractionBatch
from ..store import User
from . import signed_in

bp = Blueprint("interactions", __name__, url_prefix="/api/interactions")


@bp.post("")
@signed_in.required
@validate_json(InteractionBatch)  # validate_request's, parsed in Rust first (a hot route)
async def post_interactions(data: InteractionBatch) -> dict[str, Any]:
    # A plain-ASGI path answers most of these requests before Quart (plain_interactions.py).
    return await accept(app(), await signed_in.user(), data)


async def accept(encore: EncoreApp, user: User, data: InteractionBatch) -> dict[str, Any]:
    """The route's work once the listener and the batch are known, for both of its paths."""
    unknown = interactions.unknown_tracks(encore.sources, data)
    if unknown:
        index, item = unknown[0]
        raise ApiError(
            422,
            "invalid_request",
            f"interactions.{index}.track_id: unknown track {item.track_id!r}",
        )
    result, fresh = await interactions.record(encore.store, encore.models, user.username, data)
    encore.metrics.interactions_stored.inc(len(result.accepted))
    if fresh and encore.sources.hear(fresh):  # Subsonic: scrobble, star
        encore.add_background_task(encore.sources.listened, user.username, fresh)
    await likes.remember(encore.store, user.username, data.interactions, result.accepted)
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
