"""The signed-in user's own account: profile, settings, Spotify status."""

from __future__ import annotations

from typing import Any

from quart import Blueprint
from quart_schema import validate_request

from .. import accounts, taste
from ..app_types import app
from ..security import spotify_browser_urls
from ..user_settings import SettingsPatch, settings_of
from . import signed_in

bp = Blueprint("me", __name__, url_prefix="/api/me")


@bp.get("")
async def me() -> dict[str, Any]:
    user = await signed_in.user()
    return {
        "username": user.username,
        "display_name": user.display_name,
        "settings": settings_of(user),
        "spotify": {**await app().spotify.status(user.username),
                    **spotify_browser_urls(app().settings)},
        "library": {"tracks": await app().sources.catalogs["local"].size()},
        "subsonic": await app().subsonic.status(user.username),
    }


@bp.patch("/settings")
@signed_in.required
@validate_request(SettingsPatch)
async def patch_settings(data: SettingsPatch) -> dict[str, Any]:
    user = await signed_in.user()
    was_paused = settings_of(user)["learning_paused"]
    settings = await accounts.update_settings(app().store, user, data)
    if settings["learning_paused"] != was_paused:  # a private session starts or ends now
        await taste.pause_changed(app().store, app().models.local, user.username,
                                  settings["learning_paused"])
    return settings
