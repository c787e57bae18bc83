"""Tracks by id for what the listener sees (liked songs, history, playlists, taste), in the
order asked, from every source the user has; an id no source can resolve right now (a
Spotify track while Spotify is down) comes back as a placeholder saying so, never dropped,
so lists keep their length and order."""

from __future__ import annotations

from typing import Any

from .sources import MusicSources


def placeholder(track_id: str) -> dict[str, Any]:
    source = track_id.split("-", 1)[0] if "-" in track_id else "spotify"
    return {"id": track_id, "uri": "", "source": source, "name": "Unavailable track",
            "artists": [], "album": {"name": "", "images": []}, "genres": [],
            "explicit": False, "duration_ms": 0, "features": {}, "unavailable": True}


async def tracks_by_id(sources: MusicSources, username: str,
                       ids: list[str]) -> list[dict[str, Any]]:
    found = await sources.resolve(username, ids)
    return [found.get(i) or placeholder(i) for i in ids]
