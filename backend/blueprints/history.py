"""GET /api/me/history: every play, newest first, with its track and how it ended."""

from __future__ import annotations

from typing import Any

from quart import Blueprint
from quart_schema import validate_querystring

from ..app_types import app
from ..history import history_page
from ..paging import PageQuery, bad_cursor
from . import signed_in

bp = Blueprint("history", __name__, url_prefix="/api/me/history")


@bp.get("")
@signed_in.required
@validate_querystring(PageQuery)
async def history(query_args: PageQuery) -> dict[str, Any]:
    user = await signed_in.user()
    try:
        return await history_page(app().store, app().sources, user.username, query_args.limit,
                                  query_args.cursor)
    except ValueError:
        raise bad_cursor() from None
