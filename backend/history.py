"""Listening history: every play, newest first, with the track and how it ended (finished,
skipped at N s, liked, disliked), paged as the interactions are."""

from __future__ import annotations

from typing import Any

from .sources import MusicSources
from .store import Store
from .track_lookup import tracks_by_id


async def history_page(store: Store, sources: MusicSources, username: str, limit: int,
                       cursor: str | None) -> dict[str, Any]:
    """`{plays: [{id, track, type, position_ms, duration_ms, at}], next_cursor}`; ValueError
    on a cursor this server did not give out."""
    page = await store.list_interactions(username, limit, cursor)
    tracks = await tracks_by_id(store, sources, username, [i.track_id for i in page.interactions])
    return {
        "plays": [
            {"id": i.id, "track": track, "type": i.type, "position_ms": i.position_ms,
             "duration_ms": i.duration_ms, "at": i.at}
            for i, track in zip(page.interactions, tracks, strict=True)
        ],
        "next_cursor": page.next_cursor,
    }
