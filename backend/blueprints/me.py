"""The signed-in user's own account: profile, settings, Spotify status."""

from __future__ import annotations

from typing import Any

from quart import Blueprint
from quart_schema import validate_request

from .. import accounts, sessions
from ..accounts import SettingsPatch
from ..app_types import app

bp = Blueprint("me", __name__, url_prefix="/api/me")


@bp.get("")
async def me() -> dict[str, Any]:
    user = await sessions.current_user()
    return {
        "username": user.username,
        "display_name": user.display_name,
        "settings": accounts.settings_of(user),
        "spotify": await app().spotify.status(user.username),
    }


@bp.patch("/settings")
@sessions.login_required
@validate_request(SettingsPatch)
async def patch_settings(data: SettingsPatch) -> dict[str, Any]:
    user = await sessions.current_user()
    return await accounts.update_settings(user, data)
