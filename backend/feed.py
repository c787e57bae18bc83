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
    # Everything was seen: start over, still ranked, what was on screen last (a small library:
    # all of it). A plain request (a reload) with nothing left does the same: never an empty
    # feed while the sources have songs (a refresh had hidden every song of a small library).
    restarted = bool(candidates.tracks) and len(pool) < limit and (refresh or not pool)
    ranked: dict[str, Any] = {}
    ranked_tracks: list[dict[str, Any]] = []
    if not restarted:
        ranked = await models.suggest(user.username, pool, pool_size)
        ranked_tracks = _ranked(pool, ranked)
        # Every song left was heard within the day (the model does not replay a song at once):
        # with a small library that is all of it. Start over rather than show nothing.
        restarted = bool(pool) and not ranked_tracks
    if restarted:
        # the next refresh skips what was just on screen, unless too few songs would be left
        left = len({t["id"] for t in candidates.tracks} - set(just_shown))
        state["hidden"] = just_shown if left >= limit else []
        pool = list(candidates.tracks)
        # from the top: what was just heard may come again (as it would a day later)
        ranked = await models.suggest(user.username, pool, pool_size, fresh_start=True)
        ranked_tracks = _ranked(pool, ranked)
        seen = set(just_shown)
        ranked_tracks.sort(key=lambda t: t["id"] in seen)  # stable: the others keep their order
    tracks = ranked_tracks[:limit]
    shown = [t["id"] for t in tracks]
    if refresh or restarted or shown != state["shown"]:
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
