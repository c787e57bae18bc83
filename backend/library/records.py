"""A scanned file as a catalog record: the Track of DESIGN.md with source "local".

Artist and album ids come from their names (case- and space-folded), so the same artist on
two albums, or an album spread over two folders, is one artist and one album.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..store.catalog import CatalogTrack
from .tags import Tags

UNKNOWN_ARTIST = "Unknown artist"
UNKNOWN_ALBUM = "Unknown album"


def _key(*parts: str) -> str:
    text = "\x1f".join(" ".join(p.casefold().split()) for p in parts)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def artist_id(name: str) -> str:
    return f"local-ar-{_key(name)}"


def album_id(artist: str, album: str) -> str:
    return f"local-al-{_key(artist, album)}"


def cover_url(key: str) -> str:
    return f"/api/library/covers/{key}.jpg"


def local_record(tags: Tags, track_id: str, location: str, cover: str | None,
                 now_ms: int) -> CatalogTrack:
    artists = tags.artists or ([tags.album_artist] if tags.album_artist else [UNKNOWN_ARTIST])
    album_artist = tags.album_artist or artists[0]
    album_name = tags.album or UNKNOWN_ALBUM
    album: dict[str, Any] = {
        "id": album_id(album_artist, album_name), "name": album_name,
        "images": [{"url": cover_url(cover), "width": 300, "height": 300}] if cover else [],
    }
    if tags.year:
        album["release_year"] = tags.year
    doc: dict[str, Any] = {
        "id": track_id, "uri": f"encore:local:{track_id}", "source": "local",
        "name": tags.title,
        "artists": [{"id": artist_id(a), "name": a} for a in artists],
        "album": album, "album_artist": album_artist,
        "genres": tags.genres, "explicit": False, "duration_ms": tags.duration_ms,
        "audio_url": f"/api/tracks/{track_id}/audio", "format": tags.codec.name,
        "features": {},
    }
    for name, value in (("release_year", tags.year), ("track_number", tags.track_number),
                        ("disc_number", tags.disc_number)):
        if value is not None:
            doc[name] = value
    if tags.musicbrainz:
        doc["musicbrainz"] = tags.musicbrainz
    if tags.replaygain:
        doc["replaygain"] = tags.replaygain
    return CatalogTrack(id=track_id, source="local", doc=doc, location=location,
                        updated_at=now_ms)
