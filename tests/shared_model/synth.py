"""Deterministic demo-like tracks and interactions for the shared_model tests."""

from __future__ import annotations

import random
from typing import Any

GENRES = ["pop", "rock", "hip-hop", "electronic", "jazz", "classical", "folk", "metal",
          "r&b", "country", "reggae", "latin", "ambient", "blues", "indie", "soul"]


def make_track(i: int, rng: random.Random, *, energy: float | None = None,
               genre: str | None = None, artist: int | None = None,
               explicit: bool | None = None, audio: bool = True) -> dict[str, Any]:
    genre = genre or rng.choice(GENRES)
    e = rng.random() if energy is None else energy
    features = {
        "danceability": round(rng.random(), 3), "energy": round(e, 3),
        "valence": round(rng.random(), 3), "acousticness": round(rng.random(), 3),
        "instrumentalness": round(rng.random() * 0.5, 3),
        "speechiness": round(rng.random() * 0.3, 3), "liveness": round(rng.random() * 0.4, 3),
        "loudness": round(-30 + 28 * e, 2), "tempo": round(60 + rng.random() * 120, 3),
        "key": rng.randrange(12), "mode": rng.randrange(2),
    }
    a = rng.randrange(120) if artist is None else artist
    return {
        "id": f"t{i:05d}", "uri": f"encore:demo:t{i:05d}", "source": "demo",
        "name": f"Track {i}", "artists": [{"id": f"a{a:03d}", "name": f"Artist {a}"}],
        "album": {"name": "Album", "images": [], "release_year": 1960 + rng.randrange(65)},
        "genres": [genre], "explicit": rng.random() < 0.15 if explicit is None else explicit,
        "duration_ms": 30000 + rng.randrange(60000), "popularity": rng.randrange(101),
        "release_year": 1960 + rng.randrange(65), "features": features if audio else {},
    }


def catalog(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [make_track(i, rng) for i in range(n)]


def interaction(n: int, track: dict[str, Any], kind: str, at: int,
                position_ms: int | None = None) -> dict[str, Any]:
    duration = int(track["duration_ms"])
    return {
        "id": f"i{n:06d}", "track_id": track["id"], "type": kind,
        "position_ms": duration if position_ms is None else position_ms,
        "duration_ms": duration, "at": at,
    }


def history(tracks: list[dict[str, Any]], n: int, seed: int = 3,
            start_ms: int = 1_700_000_000_000) -> list[dict[str, Any]]:
    """A listener who finishes energetic tracks in a tempo window and skips the rest early."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        track = rng.choice(tracks)
        f = track["features"]
        likes = f.get("energy", 0.5) > 0.5 and 90 <= f.get("tempo", 120) <= 150
        if rng.random() < 0.1:
            likes = not likes
        if likes:
            kind = "liked" if rng.random() < 0.2 else "finished"
            out.append(interaction(k, track, kind, start_ms + k * 60_000))
        else:
            kind = "disliked" if rng.random() < 0.05 else "skipped"
            out.append(interaction(k, track, kind, start_ms + k * 60_000,
                                   position_ms=rng.randrange(1000, 20000)))
    return out
