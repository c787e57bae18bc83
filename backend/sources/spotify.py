"""Feed candidates from a user's Spotify account, as Encore Track dicts.

Candidates come from top tracks, saved tracks, a search per favourite genre, and
recommendations where the app may still use them. Features come from audio features where the
app may use them, else from metadata alone (shared_model marks missing audio features).
"""

from __future__ import annotations

import re
from typing import Any

from ..spotify import SpotifyError, SpotifyService, SpotifyUnavailableFeature

_SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")
AUDIO_FEATURE_KEYS = (
    "danceability",
    "energy",
    "valence",
    "acousticness",
    "instrumentalness",
    "speechiness",
    "liveness",
    "loudness",
    "tempo",
    "key",
    "mode",
)


def looks_like_spotify_id(track_id: str) -> bool:
    return bool(_SPOTIFY_ID.match(track_id))


def to_track(obj: dict[str, Any], genres: list[str] | None = None) -> dict[str, Any]:
    album = obj.get("album") or {}
    release = str(album.get("release_date") or "")
    track: dict[str, Any] = {
        "id": obj["id"],
        "uri": obj.get("uri") or f"spotify:track:{obj['id']}",
        "source": "spotify",
        "name": obj.get("name", ""),
        "artists": [
            {"id": a.get("id", ""), "name": a.get("name", "")} for a in obj.get("artists", [])
        ],
        "album": {"id": album.get("id", ""), "name": album.get("name", ""),
                  "images": album.get("images", [])},
        "genres": list(genres or []),
        "explicit": bool(obj.get("explicit")),
        "duration_ms": int(obj.get("duration_ms") or 0),
        "features": {},
    }
    if obj.get("popularity") is not None:
        track["popularity"] = int(obj["popularity"])
    if release[:4].isdigit():
        track["release_year"] = int(release[:4])
    if obj.get("preview_url"):
        track["audio_url"] = obj["preview_url"]
    return track


async def _add_audio_features(
    service: SpotifyService, username: str, tracks: list[dict[str, Any]]
) -> None:
    for start in range(0, len(tracks), 100):
        chunk = tracks[start : start + 100]
        try:
            answer = await service.api(
                username,
                "GET",
                "/audio-features",
                params={"ids": ",".join(t["id"] for t in chunk)},
                gated="audio-features",
            )
        except SpotifyUnavailableFeature:
            return
        for track, features in zip(chunk, answer.get("audio_features") or [], strict=False):
            if features:
                track["features"] = {k: features[k] for k in AUDIO_FEATURE_KEYS if k in features}


async def fetch_tracks(
    service: SpotifyService, username: str, ids: list[str]
) -> list[dict[str, Any]]:
    tracks: list[dict[str, Any]] = []
    for start in range(0, len(ids), 50):
        answer = await service.api(
            username, "GET", "/tracks", params={"ids": ",".join(ids[start : start + 50])}
        )
        tracks += [to_track(t) for t in answer.get("tracks") or [] if t]
    await _add_audio_features(service, username, tracks)
    return tracks


async def fetch_candidates(
    service: SpotifyService, username: str, settings: dict[str, Any]
) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def add(objs: list[dict[str, Any]], genres: list[str] | None = None) -> None:
        for obj in objs:
            if obj and obj.get("id") and obj["id"] not in found and not obj.get("is_local"):
                found[obj["id"]] = to_track(obj, genres)

    for time_range in ("short_term", "medium_term"):
        page = await service.api(
            username, "GET", "/me/top/tracks", params={"time_range": time_range, "limit": 50}
        )
        add(page.get("items", []))
    saved = await service.api(username, "GET", "/me/tracks", params={"limit": 50})
    add([item.get("track") for item in saved.get("items", [])])
    for genre in settings.get("favorite_genres", [])[:5]:
        for offset in (0, 10):
            answer = await service.api(
                username,
                "GET",
                "/search",
                params={"q": f'genre:"{genre}"', "type": "track", "limit": 10, "offset": offset},
            )
            add(answer.get("tracks", {}).get("items", []), [genre])
    seeds = list(found)[:5]
    if seeds:
        try:
            answer = await service.api(
                username,
                "GET",
                "/recommendations",
                params={"seed_tracks": ",".join(seeds), "limit": 100},
                gated="recommendations",
            )
            add(answer.get("tracks", []))
        except SpotifyUnavailableFeature:
            pass
    if not found:
        raise SpotifyError(404, "Your Spotify account has no tracks to start from yet.")
    tracks = list(found.values())
    await _add_audio_features(service, username, tracks)
    return tracks
