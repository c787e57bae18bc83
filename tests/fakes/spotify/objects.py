"""Turn catalog records into Web API JSON objects shaped as in the OpenAPI reference."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from .catalog import Album, Artist, Catalog, Track

Json = dict[str, Any]
_OPEN = "https://open.spotify.com"


@dataclass(frozen=True)
class Links:
    """Where this answer says things live: the emulator's own origin (e.g. http://127.0.0.1:5123)."""

    origin: str

    @property
    def api(self) -> str:
        return f"{self.origin}/v1"

    def cover(self, album: Album, size: int) -> str:
        return f"{self.origin}/__media/cover/{album.id}.svg?size={size}"

    def audio(self, track: Track) -> str:
        return f"{self.origin}/__media/audio/{track.id}.wav"


def simple_artist(artist: Artist, links: Links) -> Json:
    return {
        "external_urls": {"spotify": f"{_OPEN}/artist/{artist.id}"},
        "href": f"{links.api}/artists/{artist.id}",
        "id": artist.id,
        "name": artist.name,
        "type": "artist",
        "uri": f"spotify:artist:{artist.id}",
    }


def full_artist(artist: Artist, links: Links) -> Json:
    return simple_artist(artist, links) | {
        "followers": {"href": None, "total": artist.followers},
        "genres": list(artist.genres),
        "images": [],
        "popularity": artist.popularity,
    }


def simple_album(album: Album, catalog: Catalog, links: Links) -> Json:
    return {
        "album_type": album.album_type,
        "total_tracks": album.total_tracks,
        "available_markets": ["SE", "GB", "US", "DE"],
        "external_urls": {"spotify": f"{_OPEN}/album/{album.id}"},
        "href": f"{links.api}/albums/{album.id}",
        "id": album.id,
        "images": [{"url": links.cover(album, s), "height": s, "width": s} for s in (640, 300, 64)],
        "name": album.name,
        "release_date": album.release_date,
        "release_date_precision": album.release_date_precision,
        "type": "album",
        "uri": f"spotify:album:{album.id}",
        "artists": [simple_artist(catalog.artists[a], links) for a in album.artist_ids],
    }


def track_object(track: Track, catalog: Catalog, links: Links, *, previews: bool = True) -> Json:
    """A full TrackObject; `previews=False` mimics new apps, which get `preview_url: null`."""
    return {
        "album": simple_album(catalog.albums[track.album_id], catalog, links),
        "artists": [simple_artist(catalog.artists[a], links) for a in track.artist_ids],
        "available_markets": ["SE", "GB", "US", "DE"],
        "disc_number": track.disc_number,
        "duration_ms": track.duration_ms,
        "explicit": track.explicit,
        "external_ids": {"isrc": track.isrc},
        "external_urls": {"spotify": f"{_OPEN}/track/{track.id}"},
        "href": f"{links.api}/tracks/{track.id}",
        "id": track.id,
        "is_playable": True,
        "name": track.name,
        "popularity": track.popularity,
        "preview_url": links.audio(track) if previews else None,
        "track_number": track.track_number,
        "type": "track",
        "uri": f"spotify:track:{track.id}",
        "is_local": False,
    }


def audio_features(track: Track, links: Links) -> Json:
    return dict(track.features) | {
        "id": track.id,
        "type": "audio_features",
        "uri": f"spotify:track:{track.id}",
        "track_href": f"{links.api}/tracks/{track.id}",
        "analysis_url": f"{links.api}/audio-analysis/{track.id}",
    }


def paging(items: list[Json], *, url: str, params: dict[str, str], limit: int, offset: int,
           total: int) -> Json:
    """A PagingObject; `url` is the endpoint, `params` the query other than limit/offset."""

    def page(at: int) -> str:
        return f"{url}?{urlencode(params | {'offset': str(at), 'limit': str(limit)})}"

    return {
        "href": page(offset),
        "items": items,
        "limit": limit,
        "next": page(offset + limit) if offset + limit < total else None,
        "offset": offset,
        "previous": page(max(0, offset - limit)) if offset > 0 else None,
        "total": total,
    }
