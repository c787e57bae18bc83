"""Liked songs: GET /api/me/liked (paged), which of some tracks are liked, unlike."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from quart import Blueprint, Response
from quart_schema import validate_querystring

from .. import likes
from ..app_types import app
from ..paging import PageQuery, bad_cursor
from . import signed_in

bp = Blueprint("liked", __name__, url_prefix="/api/me/liked")


class ContainsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # the characters of every source's ids: a Subsonic one may end in "~<base64url>" (ids.py)
    ids: str = Field(min_length=1, max_length=100 * 129, pattern=r"^[A-Za-z0-9._:,~-]+$",
                     description="comma-separated track ids (at most 100)")

    @field_validator("ids")
    @classmethod
    def _at_most_100(cls, value: str) -> str:
        parts = [p for p in value.split(",") if p]
        if not parts or len(parts) > 100 or any(len(p) > 128 for p in parts):
            raise ValueError("1 to 100 track ids of at most 128 characters")
        return value


@bp.get("")
@signed_in.required
@validate_querystring(PageQuery)
async def liked(query_args: PageQuery) -> dict[str, Any]:
    user = await signed_in.user()
    try:
        return await likes.liked_page(app().store, app().sources, user.username,
                                      query_args.limit, query_args.cursor)
    except ValueError:
        raise bad_cursor() from None


@bp.get("/contains")
@signed_in.required
@validate_querystring(ContainsQuery)
async def contains(query_args: ContainsQuery) -> dict[str, Any]:
    user = await signed_in.user()
    ids = [p for p in query_args.ids.split(",") if p]
    found = await app().store.liked_among(user.username, ids)
    return {"liked": [i for i in dict.fromkeys(ids) if i in found]}


@bp.delete("/<track_id>")
@signed_in.required
async def unlike(track_id: str) -> Response:
    """Idempotent: unliking what is not liked is done already (the page's outbox may replay)."""
    user = await signed_in.user()
    if len(track_id) <= 128:
        await app().store.delete_like(user.username, track_id)
    return Response("", status=204)
