"""Tracks by id for what the listener sees (liked songs, history, playlists, taste, search), in
the order asked, from every source: the demo catalog and Spotify (through the music sources) and
the store's catalog of local and Subsonic tracks. An id nothing can resolve right now (a Spotify
track while Spotify is down, a file removed) comes back as a placeholder saying so, never
dropped, so lists keep their length and order."""

from __future__ import annotations

from typing import Any

from .sources import MusicSources
from .store import Store


def placeholder(track_id: str) -> dict[str, Any]:
    source = track_id.split("-", 1)[0] if "-" in track_id else "spotify"
    return {"id": track_id, "uri": "", "source": source, "name": "Unavailable track",
            "artists": [], "album": {"name": "", "images": []}, "genres": [],
            "explicit": False, "duration_ms": 0, "features": {}, "unavailable": True}


async def found_tracks(store: Store, sources: MusicSources, username: str,
                       ids: list[str]) -> dict[str, dict[str, Any]]:
    """The tracks that resolve among `ids`, by id."""
    found = await sources.resolve(username, ids) if ids else {}
    missing = [i for i in dict.fromkeys(ids) if i not in found and "-" in i]
    if missing:
        catalog = await store.get_catalog_tracks(missing)
        found |= {i: t.track() for i, t in catalog.items() if t.present}
    return found


async def tracks_by_id(store: Store, sources: MusicSources, username: str,
                       ids: list[str]) -> list[dict[str, Any]]:
    found = await found_tracks(store, sources, username, ids)
    return [found.get(i) or placeholder(i) for i in ids]
