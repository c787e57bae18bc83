"""Liked songs: a "liked" interaction puts the track on the list; unliking takes it off.

Unliking does not unteach the model (the like was real when it happened); the taste page's
"forget" does that.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from .sources import MusicSources
from .store import Like, Store
from .track_lookup import tracks_by_id


class _Played(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def track_id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def at(self) -> int: ...


async def remember(store: Store, username: str, interactions: Sequence[_Played],
                   accepted: list[str]) -> None:
    """Put the tracks of newly accepted "liked" interactions on the user's list."""
    fresh = {i.lower() for i in accepted}
    likes = [Like(i.track_id, i.at) for i in interactions
             if i.type == "liked" and i.id.lower() in fresh]
    if likes:
        await store.put_likes(username, likes)


async def liked_page(store: Store, sources: MusicSources, username: str, limit: int,
                     cursor: str | None) -> dict[str, Any]:
    """`{tracks: [Track + liked_at], next_cursor}`, newest first; ValueError on a bad cursor."""
    page = await store.list_likes(username, limit, cursor)
    tracks = await tracks_by_id(store, sources, username, [like.track_id for like in page.likes])
    return {
        "tracks": [{**t, "liked_at": like.at} for t, like in zip(tracks, page.likes, strict=True)],
        "next_cursor": page.next_cursor,
    }
