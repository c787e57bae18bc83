"""Your taste: what the model learned, in words, and the listener's corrections (forget,
block/unblock, reset). A private session is `settings.learning_paused` (blueprints/me.py)."""

from __future__ import annotations

from typing import Any

from quart import Blueprint
from quart_schema import validate_querystring, validate_request

from .. import accounts, taste, taste_words
from ..app_types import app
from ..errors import ApiError
from ..inputs import validate_optional_json
from ..taste import BlockRequest, CorrectionIn, CorrectionQuery, ForgetRequest
from . import signed_in

bp = Blueprint("taste", __name__, url_prefix="/api/me/taste")


@bp.get("")
@signed_in.required
async def describe() -> dict[str, Any]:
    user = await signed_in.user()
    entry = await app().models.local.subscribe(user.username)
    return await taste_words.describe(app().store, app().sources, user.username, entry.model,
                                      accounts.settings_of(user))


@bp.post("/forget")
@signed_in.required
@validate_request(ForgetRequest)
async def forget(data: ForgetRequest) -> dict[str, Any]:
    user = await signed_in.user()
    kind, target = (("forget_track", data.track_id) if data.track_id
                    else ("forget_artist", data.artist_id or ""))
    return await taste.correct(app().store, app().models.local, user.username, kind,
                               target or "", data)


@bp.post("/reset")
@signed_in.required
@validate_optional_json(CorrectionIn)  # a reset needs nothing: DESIGN.md names no body
async def reset(data: CorrectionIn) -> dict[str, Any]:
    user = await signed_in.user()
    return await taste.correct(app().store, app().models.local, user.username, "reset", "", data)


@bp.post("/block")
@signed_in.required
@validate_request(BlockRequest)
async def block(data: BlockRequest) -> dict[str, Any]:
    user = await signed_in.user()
    return await taste.correct(app().store, app().models.local, user.username, "block",
                               data.artist_id, data)


# `path:` since an id may hold a "/": a Subsonic artist id made of a name ("AC/DC").
@bp.delete("/block/<path:artist_id>")
@signed_in.required
@validate_querystring(CorrectionQuery)
async def unblock(artist_id: str, query_args: CorrectionQuery) -> dict[str, Any]:
    user = await signed_in.user()
    if len(artist_id) > 128 or any(ord(ch) < 32 or ord(ch) == 127 for ch in artist_id):
        raise ApiError(422, "invalid_request", "artist_id: not an artist id")
    return await taste.correct(app().store, app().models.local, user.username, "unblock",
                               artist_id, query_args)
