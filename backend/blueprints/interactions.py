"""POST and GET /api/interactions."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, request
from quart_schema import validate_request

from .. import interactions, sessions
from ..app_types import app
from ..errors import ApiError
from ..interactions import InteractionBatch

bp = Blueprint("interactions", __name__, url_prefix="/api/interactions")


@bp.post("")
@sessions.login_required
@validate_request(InteractionBatch)
async def post_interactions(data: InteractionBatch) -> dict[str, Any]:
    user = await sessions.current_user()
    unknown = interactions.unknown_tracks(data)
    if unknown:
        index, item = unknown[0]
        raise ApiError(
            422,
            "invalid_request",
            f"interactions.{index}.track_id: unknown track {item.track_id!r}",
        )
    result = await interactions.record(user.username, data)
    return {"accepted": result.accepted, "duplicates": result.duplicates}


@bp.get("")
@sessions.login_required
async def list_interactions() -> dict[str, Any]:
    user = await sessions.current_user()
    raw_limit = request.args.get("limit", "50")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 500:
        raise ApiError(422, "invalid_request", "limit: a whole number from 1 to 500")
    cursor = request.args.get("cursor") or None
    try:
        page = await app().store.list_interactions(user.username, int(raw_limit), cursor)
    except ValueError:
        raise ApiError(422, "invalid_request", "cursor: not one this server gave out") from None
    return {
        "interactions": [i.to_dict() for i in page.interactions],
        "next_cursor": page.next_cursor,
    }
