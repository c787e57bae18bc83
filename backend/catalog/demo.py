"""The built-in demo catalog: ~640 fictional tracks, generated deterministically.

Everything comes from one seeded ``random.Random`` and ordered lists (never sets or the
global RNG), so every machine and every run sees the same ids, names and features.
Features follow the genre (metal is loud, ambient is quiet and acoustic, hip-hop is wordy)
with per-artist and per-track noise, so a model trained on them has something to learn.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from typing import Any

from shared_model import features

_SEED = 20240611
TARGET_TRACKS = 640
ARTISTS_PER_GENRE = 10
_NOTE_NAMES = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]


@dataclass(frozen=True)
class _Profile:
    """Typical audio features of a genre: means of the 0..1 features, plus ranges."""

    danceability: float
    energy: float
    valence: float
    acousticness: float
    instrumentalness: float
    speechiness: float
    liveness: float
    loudness: float  # dB, around which tracks scatter
    tempo: tuple[float, float]  # BPM range
    major: float  # probability of mode 1
    waltz: float  # probability of 3/4
    explicit: float  # probability a track is explicit
    related: tuple[str, ...]  # plausible second genres for an artist


_PROFILES: dict[str, _Profile] = {
    "pop": _Profile(.70, .70, .62, .15, .02, .07, .15, -6.0, (98, 128), .70, .02, .10,
                    ("electronic", "r&b", "indie", "latin")),
    "rock": _Profile(.50, .80, .50, .08, .06, .05, .22, -5.5, (108, 152), .65, .03, .05,
                     ("indie", "blues", "metal", "folk")),
    "hip-hop": _Profile(.78, .66, .50, .12, .02, .32, .18, -6.5, (82, 100), .45, .0, .70,
                        ("r&b", "electronic", "pop", "soul")),
    "electronic": _Profile(.73, .83, .45, .04, .68, .06, .12, -5.0, (120, 132), .45, .0, .02,
                           ("pop", "ambient", "hip-hop")),
    "jazz": _Profile(.55, .40, .56, .76, .58, .05, .28, -12.0, (88, 140), .55, .20, .0,
                     ("blues", "soul", "classical")),
    "classical": _Profile(.28, .15, .32, .95, .90, .04, .12, -20.0, (60, 108), .55, .35, .0,
                          ("ambient", "jazz")),
    "folk": _Profile(.52, .38, .52, .82, .10, .04, .16, -10.5, (84, 120), .72, .20, .01,
                     ("country", "indie", "blues")),
    "metal": _Profile(.38, .95, .28, .01, .22, .07, .24, -4.0, (140, 190), .18, .0, .35,
                      ("rock",)),
    "r&b": _Profile(.68, .55, .50, .20, .03, .10, .13, -7.0, (70, 100), .50, .02, .12,
                    ("soul", "hip-hop", "pop")),
    "country": _Profile(.60, .65, .64, .30, .02, .04, .19, -6.5, (94, 130), .85, .10, .02,
                        ("folk", "rock", "blues")),
    "reggae": _Profile(.78, .58, .76, .20, .10, .12, .16, -7.5, (70, 92), .70, .0, .03,
                       ("latin", "hip-hop", "soul")),
    "latin": _Profile(.80, .78, .78, .18, .05, .08, .20, -5.0, (94, 124), .60, .0, .05,
                      ("pop", "reggae")),
    "ambient": _Profile(.24, .12, .26, .88, .92, .04, .10, -22.0, (60, 90), .50, .0, .0,
                        ("electronic", "classical")),
    "blues": _Profile(.50, .46, .44, .56, .15, .05, .32, -9.0, (70, 110), .30, .10, .01,
                      ("rock", "soul", "jazz")),
    "indie": _Profile(.55, .60, .46, .32, .15, .05, .16, -7.5, (100, 140), .60, .05, .03,
                      ("rock", "folk", "pop", "electronic")),
    "soul": _Profile(.62, .52, .62, .40, .04, .06, .20, -8.0, (78, 110), .65, .08, .02,
                     ("r&b", "jazz", "blues")),
}

_FIRST = ["Ada", "Bram", "Cleo", "Dario", "Elin", "Femi", "Greta", "Hugo", "Ines", "Jonah",
          "Kira", "Lior", "Maya", "Nico", "Odile", "Pax", "Quinn", "Rosa", "Sami", "Tove",
          "Ulla", "Viggo", "Wren", "Xavi", "Yara", "Zeke", "Amara", "Bodhi", "Cass", "Dex",
          "Esme", "Flint", "Gia", "Hale", "Ivo", "June", "Kai", "Lux", "Milo", "Nell"]
_LAST = ["Ashdown", "Brightwater", "Calloway", "Delacroix", "Everly", "Fairbanks", "Galloway",
         "Hartwell", "Ironside", "Jansen", "Kestrel", "Lindqvist", "Marlowe", "Northcott",
         "Okafor", "Pemberton", "Quill", "Ravensworth", "Sterling", "Thorne", "Underwood",
         "Valdez", "Whitlock", "Yarrow", "Zamora", "Okoye", "Moreau", "Castell", "Vance"]
_ADJ = ["Velvet", "Neon", "Hollow", "Golden", "Silent", "Electric", "Crimson", "Paper",
        "Midnight", "Wild", "Faded", "Crystal", "Broken", "Lunar", "Salt", "Iron", "Honey",
        "Static", "Amber", "Blue", "Burning", "Quiet", "Distant", "Sugar", "Copper", "Glass",
        "Restless", "Southern", "Frozen", "Heavy", "Secret", "Slow", "Bright", "Lost"]
_NOUN = ["Harbor", "Engine", "Sparrow", "Canyon", "Lantern", "Tide", "Orchard", "Signal",
         "Comet", "River", "Mirror", "Garden", "Wolf", "Echo", "Satellite", "Meadow", "Tower",
         "Ember", "Horizon", "Cathedral", "Highway", "Ocean", "Thunder", "Feather", "Circuit",
         "Prairie", "Moth", "Window", "Desert", "Fountain", "Machine", "Lighthouse", "Raven"]
_PLACES = ["Avenue", "Station", "Boulevard", "Bay", "Hotel", "Club", "Quarter", "Parish"]
_PREFIX = {"hip-hop": ["Lil", "MC", "Young", "Big"], "electronic": ["DJ", "Sys", "Kid"],
           "reggae": ["Prince", "King", "Sister"], "latin": ["La", "Los", "DJ"]}
_SECTIONS = ["Dreams", "Nights", "Lights", "Days", "Hearts", "Waves", "Roads", "Stars",
             "Fires", "Bones", "Rain", "Gold", "Smoke", "Dust", "Summer", "Winter"]
_VERBS = ["Running", "Falling", "Dancing", "Waiting", "Burning", "Drifting", "Chasing",
          "Holding", "Breaking", "Calling", "Fading", "Rising"]
_FORMS = ["Nocturne", "Sonata", "Prelude", "Etude", "Fugue", "Serenade", "Impromptu",
          "Fantasia", "Ballade", "Suite"]


def _clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


def _artist_name(rng: random.Random, genre: str) -> str:
    style = rng.random()
    if genre in _PREFIX and style < 0.45:
        return f"{rng.choice(_PREFIX[genre])} {rng.choice(_NOUN)}"
    if genre in ("classical", "jazz", "folk", "blues", "country", "soul") and style < 0.6:
        return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    if style < 0.3:
        return f"The {rng.choice(_ADJ)} {rng.choice(_NOUN)}s"
    if style < 0.5:
        return f"{rng.choice(_FIRST)} & the {rng.choice(_NOUN)}s"
    if style < 0.7:
        return f"{rng.choice(_ADJ)} {rng.choice(_NOUN)}"
    if style < 0.85:
        return f"{rng.choice(_NOUN)} {rng.choice(_PLACES)}"
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _title(rng: random.Random, genre: str, key: int, mode: int) -> str:
    if genre == "classical":
        number = rng.randint(1, 24)
        scale = "major" if mode else "minor"
        return f"{rng.choice(_FORMS)} No. {number} in {_NOTE_NAMES[key]} {scale}"
    style = rng.random()
    if style < 0.3:
        return f"{rng.choice(_ADJ)} {rng.choice(_NOUN)}"
    if style < 0.5:
        return f"{rng.choice(_VERBS)} {rng.choice(_SECTIONS)}"
    if style < 0.65:
        return f"{rng.choice(_NOUN)} of {rng.choice(_SECTIONS)}"
    if style < 0.8:
        return f"{rng.choice(_ADJ)} {rng.choice(_SECTIONS)}"
    if style < 0.9:
        return f"{rng.choice(_NOUN)} ({rng.choice(_ADJ)} Mix)" if genre == "electronic" \
            else f"{rng.choice(_NOUN)} Song"
    return rng.choice(_NOUN)


def _album_title(rng: random.Random, genre: str) -> str:
    style = rng.random()
    if genre == "classical" and style < 0.5:
        return f"{rng.choice(_FORMS)}s & {rng.choice(_FORMS)}s"
    if style < 0.35:
        return f"{rng.choice(_ADJ)} {rng.choice(_NOUN)}"
    if style < 0.6:
        return f"{rng.choice(_SECTIONS)} of the {rng.choice(_NOUN)}"
    if style < 0.8:
        return f"{rng.choice(_ADJ)} {rng.choice(_SECTIONS)}"
    if style < 0.9:
        return f"{rng.choice(_VERBS)} the {rng.choice(_NOUN)}"
    return f"The {rng.choice(_NOUN)} Sessions"


def _features(rng: random.Random, genres: list[str], bias: dict[str, float]) -> dict[str, Any]:
    """Audio features for one track: the genre mix's means, the artist's bias, track noise."""
    primary = _PROFILES[genres[0]]
    second = _PROFILES[genres[1]] if len(genres) > 1 else primary
    mix = rng.uniform(0.0, 0.35) if len(genres) > 1 else 0.0

    def blend(name: str) -> float:
        return (1 - mix) * getattr(primary, name) + mix * getattr(second, name)

    feats: dict[str, Any] = {}
    for name in ("danceability", "energy", "valence", "acousticness", "instrumentalness",
                 "speechiness", "liveness"):
        sd = 0.04 if name == "speechiness" else 0.08
        feats[name] = round(_clamp(blend(name) + bias[name] + rng.gauss(0, sd)), 3)
    # Louder tracks are the energetic ones, as on Spotify.
    loud = blend("loudness") + 6 * (feats["energy"] - blend("energy")) + rng.gauss(0, 1.2)
    feats["loudness"] = round(_clamp(loud, -30.0, -2.0), 2)
    lo, hi = primary.tempo
    feats["tempo"] = round(rng.uniform(lo, hi) + bias["tempo"], 3)
    feats["key"] = rng.randrange(12)
    feats["mode"] = 1 if rng.random() < blend("major") else 0
    feats["time_signature"] = 3 if rng.random() < primary.waltz else 4
    return feats


def _build() -> list[dict[str, Any]]:
    rng = random.Random(_SEED)
    genres = list(_PROFILES)
    artists: list[dict[str, Any]] = []
    used: set[str] = set()
    for genre in genres:
        for _ in range(ARTISTS_PER_GENRE):
            name = _artist_name(rng, genre)
            while name in used:
                name = _artist_name(rng, genre)
            used.add(name)
            own = [genre]
            if rng.random() < 0.35:
                own.append(rng.choice(_PROFILES[genre].related))
            artists.append({
                "id": f"demo-ar-{len(artists) + 1:03d}",
                "name": name,
                "genres": own,
                # Popularity is skewed: a few stars, a long tail.
                "popularity": int(100 * rng.betavariate(1.6, 3.2)),
                "bias": {n: rng.gauss(0, 0.05) for n in (
                    "danceability", "energy", "valence", "acousticness", "instrumentalness",
                    "speechiness", "liveness")} | {"tempo": rng.gauss(0, 3)},
                "tracks": rng.randint(2, 6),
            })
    # Top up (deterministically) so the catalog has a predictable size.
    total = sum(a["tracks"] for a in artists)
    while total < TARGET_TRACKS:
        rng.choice(artists)["tracks"] += 1
        total += 1

    drafts: list[dict[str, Any]] = []
    album_no = 0
    for artist in artists:
        left = artist["tracks"]
        year = 2024 - min(int(rng.expovariate(1 / 11)), 60)
        while left > 0:
            album_no += 1
            size = min(left, rng.randint(1, 5))
            left -= size
            genre = artist["genres"][0]
            album = {
                "id": f"demo-al-{album_no:04d}",
                "name": _album_title(rng, genre),
                "release_year": year,
                "images": [{"url": f"/api/demo/covers/demo-al-{album_no:04d}.svg",
                            "width": 300, "height": 300}],
            }
            for _ in range(size):
                feats = _features(rng, artist["genres"], artist["bias"])
                pop = artist["popularity"] + rng.gauss(0, 8)
                drafts.append({
                    "name": _title(rng, genre, feats["key"], feats["mode"]),
                    "artists": [{"id": artist["id"], "name": artist["name"]}],
                    "album": album,
                    "genres": list(artist["genres"]),
                    "explicit": rng.random() < _PROFILES[genre].explicit,
                    "duration_ms": rng.randint(30_000, 90_000),
                    "popularity": int(_clamp(pop, 0, 100)),
                    "release_year": year,
                    "features": feats,
                })
            year = min(2024, year + rng.randint(1, 4))

    # Shuffle so ids do not run genre by genre (a prefix of the catalog is a fair sample).
    rng.shuffle(drafts)
    tracks = []
    for n, draft in enumerate(drafts, start=1):
        tid = f"demo-{n:04d}"
        tracks.append({"id": tid, "uri": f"encore:demo:{tid}", "source": "demo", **draft,
                       "audio_url": f"/api/tracks/{tid}/audio"})
    return tracks


@cache
def _catalog() -> tuple[dict[str, Any], ...]:
    return tuple(_build())


@cache
def _index() -> dict[str, dict[str, Any]]:
    return {t["id"]: t for t in _catalog()}


@cache
def _albums() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for t in _catalog():
        out.setdefault(t["album"]["id"], {**t["album"], "artists": t["artists"],
                                          "genres": t["genres"], "features": t["features"]})
    return out


def _copy(track: dict[str, Any]) -> dict[str, Any]:
    """A copy deep enough that callers may add score/reason or edit lists freely."""
    album = track["album"]
    return {**track,
            "artists": [dict(a) for a in track["artists"]],
            "album": {**album, "images": [dict(i) for i in album["images"]]},
            "genres": list(track["genres"]),
            "features": dict(track["features"])}


def demo_catalog() -> list[dict[str, Any]]:
    """All demo tracks in the DESIGN.md Track shape, ordered by id. Fresh copies each call."""
    return [_copy(t) for t in _catalog()]


def demo_tracks() -> list[dict[str, Any]]:
    """The catalog's own track dicts, shared, not copied: for readers that never edit them
    (the feed ranks them and answers new dicts), so a feed does not copy 646 tracks."""
    return list(_catalog())


def warm() -> None:
    """Build the catalog and hold its tracks with their feature vectors (features.hold: they
    are never edited), before the first feed asks: a web node's start. Otherwise the first
    listener's feed waits for both (~150 ms CPU), and every feed finds the vectors and what
    ranking reads from a track by the track's identity from then on."""
    features.hold(list(_catalog()))


def is_demo_track(track_id: str) -> bool:
    """Whether `track_id` is a demo track (no copy made: every interaction asks)."""
    return track_id in _index()


def demo_track(track_id: str) -> dict[str, Any] | None:
    """One demo track by id (a fresh copy), or None."""
    track = _index().get(track_id)
    return None if track is None else _copy(track)


def shared_demo_track(track_id: str) -> dict[str, Any] | None:
    """One demo track by id, the catalog's own dict (not copied, held by `warm`), or None: for
    readers that never edit it (learning, trainings)."""
    return _index().get(track_id)


def demo_genres() -> list[str]:
    """The catalog's genres, in a fixed order."""
    return list(_PROFILES)


def demo_album(album_id: str) -> dict[str, Any] | None:
    """An album with its artists, genres and a representative track's features, or None.

    The features give the album's cover its mood; callers must not mutate the result.
    """
    return _albums().get(album_id)
