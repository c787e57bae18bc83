"""The feed: candidates from the user's music source, ranked by the model service.

A plain request is stable between interactions (ranking is deterministic); `refresh` moves
what was just shown out of the way so new songs come up, for as long as the pool allows.
The set of songs moved away lives in the session, so any web node serves the same feed.
"""

from __future__ import annotations

import time
from typing import Any

from . import sessions
from .accounts import settings_of
from .app_types import app
from .store import User

MAX_HIDDEN = 400  # ids a refresh keeps out of the feed, oldest forgotten first


async def build_feed(
    user: User, limit: int, pool_size: int, refresh: bool, source: str | None = None
) -> dict[str, Any]:
    session = await sessions.current_session()
    assert session is not None
    settings = settings_of(user)
    candidates = await app().sources.candidates(user.username, settings, source)
    state = session.data.setdefault("feed", {"shown": [], "hidden": []})
    if refresh:
        state["hidden"] = (state["hidden"] + state["shown"])[-MAX_HIDDEN:]
    hidden = set(state["hidden"])
    pool = [t for t in candidates.tracks if t["id"] not in hidden]
    if refresh and len(pool) < limit:  # everything was seen: start over, still ranked
        state["hidden"] = list(state["shown"])
        just_shown = set(state["shown"])
        pool = [t for t in candidates.tracks if t["id"] not in just_shown]
    ranked = await app().models.suggest(user.username, pool, pool_size)
    ranked_tracks = _ranked(pool, ranked)
    tracks = ranked_tracks[:limit]
    shown = [t["id"] for t in tracks]
    if refresh or shown != state["shown"]:
        state["shown"] = shown
        await sessions.save_session(session)
    return {
        "tracks": tracks,
        "pool": ranked_tracks,
        "model_version": ranked["model_version"],
        "generated_at": int(time.time() * 1000),
        "source": candidates.source,
        "notice": candidates.note,
    }


def _ranked(pool: list[dict[str, Any]], ranked: dict[str, Any]) -> list[dict[str, Any]]:
    by_id = {t["id"]: t for t in pool}
    return [
        {**by_id[track_id], "score": score, "reason": reason}
        for track_id, score, reason in zip(
            ranked["track_ids"], ranked["scores"], ranked["reasons"], strict=True
        )
        if track_id in by_id
    ]
