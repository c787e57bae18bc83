"""GET /api/search, GET /api/artists/<id>, GET /api/albums/<id>."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from quart import Blueprint
from quart_schema import validate_querystring

from .. import browse
from ..app_types import app
from ..search.query import TYPES, search
from ..user_settings import settings_of
from . import signed_in

bp = Blueprint("search", __name__, url_prefix="/api")


class SearchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    q: str = Field(max_length=200, description="what the listener typed")
    types: str = Field(default="track,artist,album", max_length=40,
                       description="comma-separated: track, artist, album")
    limit: int = Field(default=20, ge=1, le=50, description="at most this many of each type")

    @field_validator("types")
    @classmethod
    def _known_types(cls, value: str) -> str:
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not parts or any(p not in TYPES for p in parts):
            raise ValueError("a comma-separated list of track, artist, album")
        return ",".join(dict.fromkeys(parts))


@bp.get("/search")
@signed_in.required
@validate_querystring(SearchQuery)
async def search_everything(query_args: SearchQuery) -> dict[str, Any]:
    user = await signed_in.user()
    return await search(app().search, app().store, app().sources, app().spotify, user.username,
                        settings_of(user), query_args.q, query_args.types.split(","),
                        query_args.limit)


# `path:` since an id may hold a "/": a Subsonic artist id made of a name ("AC/DC", to_track).
@bp.get("/artists/<path:artist_id>")
@signed_in.required
async def artist(artist_id: str) -> dict[str, Any]:
    user = await signed_in.user()
    return await browse.artist(app().store, app().sources, app().spotify, user.username,
                               artist_id)


@bp.get("/albums/<path:album_id>")
@signed_in.required
async def album(album_id: str) -> dict[str, Any]:
    user = await signed_in.user()
    return await browse.album(app().store, app().sources, app().spotify, user.username, album_id)
