"""The feed: candidates from the user's music source, ranked by the model service.

A plain request is stable between interactions (ranking is deterministic); `refresh` moves
what was just shown out of the way so new songs come up, for as long as the pool allows, and
then starts over (`restarted` says so). What was shown includes what the page had on screen
(`shown`): the on-device model re-ranks the pool between requests, so the page's list can hold
songs the server never answered with. The set of songs moved away lives in the session, so any
web node serves the same feed.
"""

from __future__ import annotations

import time
from typing import Any

from .model_client import ModelClient
from .sources import MusicSources
from .store import Session, Store, User
from .user_settings import settings_of

MAX_HIDDEN = 1000  # ids a refresh keeps out of the feed, oldest forgotten first
MAX_SHOWN = 100  # ids the page may say it had on screen


async def build_feed(
    store: Store,
    sources: MusicSources,
    models: ModelClient,
    session: Session,
    user: User,
    *,
    limit: int,
    pool_size: int,
    refresh: bool,
    source: str | None = None,
    on_screen: list[str] | None = None,
) -> dict[str, Any]:
    """The user's feed from `sources` ranked by `models`; what was shown is kept in `session`
    (saved to `store` when it changes), with `on_screen`, what the page says it showed."""
    settings = settings_of(user)
    state = session.data.setdefault("feed", {"shown": [], "hidden": []})
    # a catalog source picks other candidates after a refresh, the same ones on a reload
    seed = str(len(state["hidden"]) + (len(state["shown"]) if refresh else 0))
    candidates = await sources.candidates(user.username, settings, source, seed)
    just_shown = list(dict.fromkeys(state["shown"] + (on_screen or [])[:MAX_SHOWN]))
    if refresh:
        state["hidden"] = list(dict.fromkeys(state["hidden"] + just_shown))[-MAX_HIDDEN:]
    hidden = set(state["hidden"])
    pool = [t for t in candidates.tracks if t["id"] not in hidden]
    restarted = refresh and len(pool) < limit
    if restarted:  # everything was seen: start over, still ranked, what was on screen last
        state["hidden"] = just_shown  # (a small library: all of it, never an empty feed)
        pool = list(candidates.tracks)
    ranked = await models.suggest(user.username, pool, pool_size)
    ranked_tracks = _ranked(pool, ranked)
    if restarted:
        seen = set(just_shown)
        ranked_tracks.sort(key=lambda t: t["id"] in seen)  # stable: the others keep their order
    tracks = ranked_tracks[:limit]
    shown = [t["id"] for t in tracks]
    if refresh or shown != state["shown"]:
        state["shown"] = shown
        await store.put_session(session)
    return {
        "tracks": tracks,
        "pool": ranked_tracks,
        "model_version": ranked["model_version"],
        "generated_at": int(time.time() * 1000),
        "source": candidates.source,
        "notice": candidates.note,
        "restarted": restarted,
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
