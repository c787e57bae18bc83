"""The benchmark's catalog: tracks generated from a latent vector that Encore never sees.

Every track has a point z in an 8-dimensional latent "sound and style" space. Everything a
recommender can read is derived from z with noise:

- genres: an artist sits near one of 16 genre centres and carries that genre's label (and,
  for about a third of artists, the label of the nearest other centre); a track inherits its
  artist's labels, so a label says roughly, not exactly, where the track lies;
- audio features (danceability ... liveness, loudness, tempo, mode): squashed random linear
  projections of z, each with per-artist and per-track noise;
- popularity, duration and release year: likewise partly from z, partly from noise; an
  artist's "star" factor and a track's hidden broad appeal (which every latent listener
  feels a little, as people do with hits) drive popularity.

The listeners (bench/listeners.py) derive their taste from z itself, so the features are
informative about the taste but never the taste. Deterministic for a seed; no numpy, so the
catalog is the same on every machine.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

GENRES = ("pop", "rock", "hip-hop", "electronic", "jazz", "classical", "folk", "metal", "r&b",
          "country", "reggae", "latin", "ambient", "blues", "indie", "soul")
DIM = 8
ARTISTS_PER_GENRE = 16
CENTRE_SD = 1.0  # genre centres around the origin
ARTIST_SD = 0.6  # an artist around its genre centre
TRACK_SD = 0.5  # a track around its artist
FEATURE_NOISE = 0.6  # per-track noise on each feature's logit
ARTIST_NOISE = 0.3  # per-artist bias on each feature's logit
SECOND_GENRE = 0.35  # share of artists with a second label
Track = dict[str, Any]
Vector = tuple[float, ...]

# Observable field -> (offset, scale) of its logit; the projection itself is random.
_UNIT = {"danceability": (0.2, 1.3), "energy": (0.2, 1.6), "valence": (0.0, 1.3),
         "acousticness": (-0.6, 1.6), "instrumentalness": (-1.2, 1.8),
         "speechiness": (-2.6, 1.0), "liveness": (-1.6, 0.8)}
_OTHER = ("loudness", "tempo", "mode", "popularity", "duration", "year", "explicit")


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _gauss(rng: random.Random, sd: float) -> Vector:
    return tuple(rng.gauss(0.0, sd) for _ in range(DIM))


def _dot(a: Vector, b: Vector) -> float:
    return math.fsum(x * y for x, y in zip(a, b, strict=True))


def distance2(a: Vector, b: Vector) -> float:
    return math.fsum((x - y) ** 2 for x, y in zip(a, b, strict=True))


@dataclass(frozen=True)
class Catalog:
    tracks: list[Track]  # sorted by id, in the demo catalog's shape
    latent: dict[str, Vector]  # track id -> z (never shown to a policy)
    appeal: dict[str, float]  # track id -> broad appeal, N(0, 1) (never shown either)
    centres: dict[str, Vector]  # genre -> centre

    def z(self, track: Track) -> Vector:
        return self.latent[track["id"]]


def build(seed: int = 0, size: int = 1600) -> Catalog:
    rng = random.Random(f"bench-catalog:{seed}")
    centres = {g: _gauss(rng, CENTRE_SD) for g in GENRES}
    projection = {name: tuple(rng.gauss(0.0, 1.0 / math.sqrt(DIM)) for _ in range(DIM))
                  for name in (*_UNIT, *_OTHER)}
    artists: list[dict[str, Any]] = []
    for genre in GENRES:
        others = sorted((g for g in GENRES if g != genre),
                        key=lambda g: distance2(centres[g], centres[genre]))
        for _ in range(ARTISTS_PER_GENRE):
            labels = [genre] + ([others[0]] if rng.random() < SECOND_GENRE else [])
            centre = tuple(c + d for c, d in zip(centres[genre], _gauss(rng, ARTIST_SD),
                                                 strict=True))
            artists.append({"id": f"bench-ar-{len(artists) + 1:03d}",
                            "name": f"{genre.title()} Artist {len(artists) + 1}",
                            "genres": labels, "z": centre, "star": rng.gauss(0.0, 1.0),
                            "bias": {n: rng.gauss(0.0, ARTIST_NOISE) for n in projection},
                            "year": rng.gauss(0.0, 0.8)})
    drafts: list[tuple[Track, Vector, float]] = []
    while len(drafts) < size:
        artist = artists[len(drafts) % len(artists)] if len(drafts) < len(artists) \
            else rng.choice(artists)
        z = tuple(a + d for a, d in zip(artist["z"], _gauss(rng, TRACK_SD), strict=True))
        appeal = rng.gauss(0.0, 1.0)
        drafts.append((_track(rng, artist, z, appeal, projection), z, appeal))
    rng.shuffle(drafts)
    tracks, latent, appeals = [], {}, {}
    for n, (draft, z, appeal) in enumerate(drafts, start=1):
        tid = f"bench-{n:04d}"
        tracks.append({"id": tid, "uri": f"encore:bench:{tid}", "source": "bench", **draft})
        latent[tid] = z
        appeals[tid] = appeal
    return Catalog(tracks, latent, appeals, centres)


def _track(rng: random.Random, artist: dict[str, Any], z: Vector, appeal: float,
           projection: dict[str, Vector]) -> Track:
    def logit(name: str) -> float:
        return _dot(projection[name], z) + artist["bias"][name] + rng.gauss(0.0, FEATURE_NOISE)

    feats: dict[str, Any] = {}
    for name, (offset, scale) in _UNIT.items():
        feats[name] = round(_sigmoid(offset + scale * logit(name)), 3)
    feats["loudness"] = round(-28.0 + 24.0 * _sigmoid(1.3 * logit("loudness")), 2)
    feats["tempo"] = round(60.0 + 130.0 * _sigmoid(1.2 * logit("tempo")), 3)
    feats["key"] = rng.randrange(12)
    feats["mode"] = 1 if logit("mode") + rng.gauss(0.0, 0.5) > 0.0 else 0
    feats["time_signature"] = 3 if rng.random() < 0.05 else 4
    popularity = 100.0 * _sigmoid(-0.7 + 0.8 * artist["star"] + 0.6 * appeal
                                  + 0.3 * logit("popularity"))
    year = 1965 + int(59 * _sigmoid(0.9 * logit("year") + artist["year"]))
    seconds = 100.0 + 380.0 * _sigmoid(1.4 * logit("duration"))
    return {
        "name": f"Track {rng.randrange(10**6):06d}",
        "artists": [{"id": artist["id"], "name": artist["name"]}],
        "album": {"id": f"{artist['id']}-al", "name": "Album", "release_year": year,
                  "images": []},
        "genres": list(artist["genres"]),
        "explicit": rng.random() < _sigmoid(2.0 * logit("explicit") - 2.2),
        "duration_ms": int(seconds * 1000),
        "popularity": int(popularity),
        "release_year": year,
        "features": feats,
    }
