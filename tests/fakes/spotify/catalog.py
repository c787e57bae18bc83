"""A deterministic fake Spotify catalog: genres, artists, albums, tracks and audio features.

Everything comes from one seeded `random.Random`, so two emulators built with the same seed
serve byte-identical catalogs (tests can hard-code nothing and still compare runs).
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from functools import lru_cache

# Genre -> (danceability, energy, acousticness, instrumentalness, speechiness, valence,
#           tempo bpm, loudness dB). Means of each feature; tracks scatter around them.
GENRE_PROFILES: dict[str, tuple[float, float, float, float, float, float, float, float]] = {
    "pop": (0.70, 0.68, 0.18, 0.02, 0.06, 0.62, 118, -6.0),
    "rock": (0.50, 0.80, 0.08, 0.08, 0.05, 0.50, 128, -5.5),
    "hip-hop": (0.78, 0.65, 0.12, 0.01, 0.28, 0.52, 95, -6.5),
    "electronic": (0.72, 0.82, 0.04, 0.55, 0.06, 0.45, 126, -5.0),
    "jazz": (0.55, 0.38, 0.72, 0.45, 0.05, 0.55, 110, -12.0),
    "classical": (0.25, 0.15, 0.95, 0.90, 0.04, 0.30, 90, -20.0),
    "country": (0.60, 0.62, 0.35, 0.01, 0.04, 0.65, 112, -7.0),
    "r-n-b": (0.68, 0.55, 0.25, 0.02, 0.10, 0.55, 100, -7.0),
    "metal": (0.40, 0.95, 0.01, 0.25, 0.08, 0.30, 140, -4.0),
    "folk": (0.50, 0.35, 0.80, 0.10, 0.04, 0.50, 105, -11.0),
    "reggae": (0.80, 0.60, 0.20, 0.05, 0.12, 0.75, 80, -7.5),
    "latin": (0.78, 0.75, 0.22, 0.01, 0.08, 0.78, 104, -5.5),
    "indie": (0.55, 0.58, 0.35, 0.15, 0.05, 0.42, 116, -8.0),
    "ambient": (0.30, 0.20, 0.70, 0.88, 0.04, 0.25, 85, -18.0),
}
GENRES = list(GENRE_PROFILES)

_FIRST = ["Nova", "Ada", "Milo", "Lena", "Omar", "Iris", "Theo", "Maya", "Kai", "Rosa", "Felix",
          "Zara", "Jonas", "Lila", "Arlo", "Nina", "Ezra", "Alba", "Otis", "Vera"]
_LAST = ["Holm", "Reyes", "Okafor", "Lind", "Moreau", "Tanaka", "Byrne", "Silva", "Novak",
         "Haddad", "Berg", "Quinn", "Castillo", "Ward", "Ivanova", "Sato"]
_WORDS = ["Midnight", "Echo", "Velvet", "Paper", "Golden", "Neon", "Silent", "River", "Glass",
          "Ember", "Static", "Harbor", "Orbit", "Willow", "Thunder", "Satellite", "Mirror",
          "Canyon", "Lantern", "Ocean", "Summer", "Winter", "Copper", "Electric", "Wild",
          "Hollow", "Crimson", "Drift", "Signal", "Moon", "Fever", "Garden", "Ghost", "Wave"]
_NOUNS = ["Lights", "Hearts", "Roads", "Dreams", "Machines", "Birds", "Kids", "Tides", "Lines",
          "Rooms", "Rivers", "Stars", "Wolves", "Horses", "Voices", "Cities"]
_BASE62 = string.digits + string.ascii_letters


@dataclass(frozen=True)
class Artist:
    id: str
    name: str
    genres: tuple[str, ...]
    popularity: int
    followers: int


@dataclass(frozen=True)
class Album:
    id: str
    name: str
    artist_ids: tuple[str, ...]
    album_type: str
    release_date: str
    release_date_precision: str
    total_tracks: int
    upc: str
    hue: int  # cover colour, so covers differ visibly


@dataclass(frozen=True)
class Track:
    id: str
    name: str
    album_id: str
    artist_ids: tuple[str, ...]
    disc_number: int
    track_number: int
    duration_ms: int
    explicit: bool
    popularity: int
    isrc: str
    features: dict[str, float | int] = field(hash=False, compare=False)


@dataclass
class Catalog:
    artists: dict[str, Artist]
    albums: dict[str, Album]
    tracks: dict[str, Track]

    def genre_of(self, track: Track) -> str:
        return self.artists[track.artist_ids[0]].genres[0]

    def track_genres(self, track: Track) -> set[str]:
        return {g for a in track.artist_ids for g in self.artists[a].genres}


def _spotify_id(rng: random.Random) -> str:
    return "".join(rng.choice(_BASE62) for _ in range(22))


def _clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return round(min(hi, max(lo, x)), 4)


def _features(rng: random.Random, genre: str, duration_ms: int) -> dict[str, float | int]:
    dance, energy, acoustic, instr, speech, valence, tempo, loud = GENRE_PROFILES[genre]
    return {
        "danceability": _clamp(rng.gauss(dance, 0.09)),
        "energy": _clamp(rng.gauss(energy, 0.09)),
        "key": rng.randrange(12),
        "loudness": round(min(-1.0, rng.gauss(loud, 1.8)), 3),
        "mode": rng.choice((0, 1, 1)),
        "speechiness": _clamp(rng.gauss(speech, 0.04), 0.02),
        "acousticness": _clamp(rng.gauss(acoustic, 0.1)),
        "instrumentalness": _clamp(rng.gauss(instr, 0.12)),
        "liveness": _clamp(rng.gauss(0.15, 0.08), 0.03),
        "valence": _clamp(rng.gauss(valence, 0.12)),
        "tempo": round(max(50.0, rng.gauss(tempo, 8)), 3),
        "duration_ms": duration_ms,
        "time_signature": rng.choice((3, 4) if genre == "classical" else (4, 4, 4, 4, 3)),
    }


def _artist_name(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    return f"The {rng.choice(_WORDS)} {rng.choice(_NOUNS)}"


@lru_cache(maxsize=4)
def build_catalog(seed: int = 2026, artists_per_genre: int = 8) -> Catalog:
    """14 genres x `artists_per_genre` artists x 1-3 albums x 3-8 tracks (~1200 by default)."""
    rng = random.Random(seed)
    artists: dict[str, Artist] = {}
    albums: dict[str, Album] = {}
    tracks: dict[str, Track] = {}
    used_names: set[str] = set()
    for genre in GENRES:
        for _ in range(artists_per_genre):
            name = _artist_name(rng)
            while name in used_names:
                name = _artist_name(rng)
            used_names.add(name)
            extra = rng.choice(GENRES) if rng.random() < 0.25 else None
            genres = (genre,) + ((extra,) if extra and extra != genre else ())
            artist = Artist(_spotify_id(rng), name, genres, rng.randint(15, 95),
                            rng.randint(500, 5_000_000))
            artists[artist.id] = artist
            for _ in range(rng.randint(1, 3)):
                _add_album(rng, artist, genre, albums, tracks, list(artists))
    return Catalog(artists, albums, tracks)


def _add_album(rng: random.Random, artist: Artist, genre: str, albums: dict[str, Album],
               tracks: dict[str, Track], artist_ids: list[str]) -> None:
    count = rng.randint(3, 8)
    year = rng.randint(1965 if genre in ("jazz", "classical", "rock") else 1990, 2025)
    precision = rng.choice(("day", "day", "day", "month", "year"))
    date = {"day": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "month": f"{year}-{rng.randint(1, 12):02d}", "year": str(year)}[precision]
    album = Album(_spotify_id(rng), f"{rng.choice(_WORDS)} {rng.choice(_NOUNS)}", (artist.id,),
                  "single" if count == 3 else "album", date, precision, count,
                  f"{rng.randrange(10**12):012d}", rng.randrange(360))
    albums[album.id] = album
    for number in range(1, count + 1):
        low, high = (180_000, 900_000) if genre == "classical" else (95_000, 420_000)
        duration = rng.randint(low, high)
        featured = (rng.choice(artist_ids),) if rng.random() < 0.08 else ()
        ids = (artist.id,) + tuple(a for a in featured if a != artist.id)
        track = Track(
            id=_spotify_id(rng),
            name=f"{rng.choice(_WORDS)} {rng.choice(_WORDS + _NOUNS)}",
            album_id=album.id, artist_ids=ids, disc_number=1, track_number=number,
            duration_ms=duration,
            explicit=genre in ("hip-hop", "metal") and rng.random() < 0.5 or rng.random() < 0.05,
            popularity=max(0, min(100, int(rng.gauss(artist.popularity, 10)))),
            isrc=f"QZ{rng.choice(string.ascii_uppercase)}{rng.randrange(10)}{year % 100:02d}"
                 f"{rng.randrange(10**5):05d}",
            features=_features(rng, genre, duration),
        )
        tracks[track.id] = track
