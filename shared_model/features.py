"""A track's feature vector: fixed order, versioned, deterministic on every Python.

Every group of inputs that can be missing (audio features, popularity, release year,
duration, explicit flag, genres) has a presence flag, and a missing value is filled with a
neutral mid-range value rather than a zero that would look like data. Non-linear tastes
(a tempo window, "happy and energetic") are encoded as hat-shaped bumps and products so a
linear learner can express them. Only + - * / and comparisons are used: bit-identical
results on CPython 3.11 and Pyodide (3.14).
"""

from __future__ import annotations

import zlib
from typing import Any

FEATURE_SCHEMA_VERSION = 2  # 2 added the audio analysis of local/Subsonic tracks

# Spotify-like audio features in 0..1, with the neutral fill used when one is missing.
_UNIT_AUDIO: tuple[tuple[str, float], ...] = (
    ("danceability", 0.55),
    ("energy", 0.55),
    ("valence", 0.5),
    ("acousticness", 0.3),
    ("instrumentalness", 0.1),
    ("speechiness", 0.08),
    ("liveness", 0.18),
)
_TEMPO_CENTERS = (70.0, 95.0, 120.0, 145.0, 170.0)  # BPM; hat width = spacing
_TEMPO_WIDTH = 25.0
_LEVEL_CENTERS = (0.0, 0.5, 1.0)  # low / mid / high bumps for energy and valence
_ERA_CENTERS = (1965.0, 1985.0, 2005.0, 2025.0)
_ERA_WIDTH = 20.0

# Super-genres: the demo catalog's genres plus common Spotify families.
GENRES: tuple[str, ...] = (
    "pop", "rock", "hip-hop", "electronic", "jazz", "classical", "folk", "metal", "r&b",
    "country", "reggae", "latin", "ambient", "blues", "indie", "soul", "funk", "punk",
)
# Words inside a (possibly fine-grained Spotify) genre name that map to a super-genre.
_GENRE_WORDS: dict[str, str] = {
    "hip hop": "hip-hop", "rap": "hip-hop", "trap": "hip-hop", "drill": "hip-hop",
    "grime": "hip-hop", "edm": "electronic", "house": "electronic", "techno": "electronic",
    "trance": "electronic", "dubstep": "electronic", "drum and bass": "electronic",
    "dance": "electronic", "electro": "electronic", "synthwave": "electronic",
    "rnb": "r&b", "r b": "r&b", "neo soul": "soul", "motown": "soul", "gospel": "soul",
    "singer songwriter": "folk", "americana": "folk", "bluegrass": "country",
    "reggaeton": "latin", "salsa": "latin", "bossa nova": "latin", "cumbia": "latin",
    "samba": "latin", "dancehall": "reggae", "dub": "reggae", "ska": "reggae",
    "orchestral": "classical", "opera": "classical", "baroque": "classical",
    "romantic era": "classical", "chamber": "classical", "grunge": "rock",
    "alternative": "rock", "emo": "punk", "hardcore": "punk", "bebop": "jazz",
    "swing": "jazz", "big band": "jazz", "disco": "funk", "k pop": "pop", "j pop": "pop",
    "chill": "ambient", "new age": "ambient", "drone": "ambient", "lo fi": "ambient",
    "heavy": "metal", "doom": "metal", "djent": "metal", "indietronica": "indie",
}
_GENRE_BUCKETS = 6  # genres outside the vocabulary share a few hashed (crc32) buckets

# Encore's own audio analysis (backend/library/analysis.py) adds brightness, rhythm strength,
# key and a timbre vector; tempo, mode, loudness and energy share the Spotify-like slots above.
_TIMBRE = 8  # timbre_1..timbre_8, each in -1..1
# Where each key (C, C#, …, B) sits on the circle of fifths, as (cos, sin): neighbouring keys
# (C and G) are close, distant ones (C and F#) far. Literals, so every Python reads the same.
_FIFTHS: tuple[tuple[float, float], ...] = (
    (1.000000, 0.000000),
    (-0.866025, -0.500000),
    (0.500000, 0.866025),
    (0.000000, -1.000000),
    (-0.500000, 0.866025),
    (0.866025, -0.500000),
    (-1.000000, 0.000000),
    (0.866025, 0.500000),
    (-0.500000, -0.866025),
    (0.000000, 1.000000),
    (0.500000, -0.866025),
    (-0.866025, 0.500000),
)


def _names() -> tuple[str, ...]:
    names = ["bias", "audio_present"]
    names += [name for name, _ in _UNIT_AUDIO]
    names += ["loudness", "tempo", "mode"]
    names += [f"tempo_{int(c)}" for c in _TEMPO_CENTERS]
    names += [f"energy_{lvl}" for lvl in ("low", "mid", "high")]
    names += [f"valence_{lvl}" for lvl in ("low", "mid", "high")]
    names += ["happy_energetic", "angry_energetic", "happy_calm", "sad_calm", "dance_energy"]
    names += ["popularity_present", "popularity", "year_present", "year"]
    names += [f"era_{int(c)}" for c in _ERA_CENTERS]
    names += ["duration_present", "duration", "explicit_present", "explicit"]
    names += ["genres_present"] + [f"genre_{g}" for g in GENRES]
    names += [f"genre_other_{i}" for i in range(_GENRE_BUCKETS)]
    names += ["analysis_present", "brightness", "rhythm_strength", "key_x", "key_y"]
    names += [f"brightness_{lvl}" for lvl in ("low", "mid", "high")]
    names += [f"rhythm_{lvl}" for lvl in ("low", "mid", "high")]
    names += [f"timbre_{i}" for i in range(1, _TIMBRE + 1)]
    return tuple(names)


FEATURE_NAMES: tuple[str, ...] = _names()
FEATURE_INDEX: dict[str, int] = {name: i for i, name in enumerate(FEATURE_NAMES)}
N_FEATURES = len(FEATURE_NAMES)


def _clamp01(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


def _hat(x: float, center: float, width: float) -> float:
    """1 at center, falling linearly to 0 at center ± width."""
    d = x - center if x >= center else center - x
    return 0.0 if d >= width else 1.0 - d / width


_INF = float("inf")


def _number(value: Any) -> float | None:
    if type(value) is float:  # the usual case, first: it runs ~25 times per track
        return value if -_INF < value < _INF else None  # (NaN fails both comparisons)
    # bool is an int subclass; a boolean is never a measurement here.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int) and not -(10**300) < value < 10**300:
        return None  # beyond any measurement, and float() would overflow
    x = float(value)
    return x if -_INF < x < _INF else None


def _normalize(name: str) -> str:
    for ch in "-&_/":
        name = name.replace(ch, " ")
    return " " + " ".join(name.lower().split()) + " "


# Each super-genre and each family word, as the padded phrase searched for in a genre name.
_PHRASES: tuple[tuple[str, str], ...] = tuple(
    [(_normalize(g), g) for g in GENRES] + [(_normalize(w), g) for w, g in _GENRE_WORDS.items()]
)


def genre_families(genres: Any) -> list[str]:
    """Map genre names (demo or fine-grained Spotify) to super-genres, in vocabulary order.

    Names matching nothing come back as "other:<name>" so callers can still hash them.
    """
    if not isinstance(genres, list):
        return []
    found: set[str] = set()
    others: list[str] = []
    for raw in genres:
        if not isinstance(raw, str) or not raw.strip():
            continue
        hits, other = _families_of(raw)
        found.update(hits)
        if other:
            others.append(other)
    return [g for g in GENRES if g in found] + others


_FAMILIES: dict[str, tuple[tuple[str, ...], str]] = {}  # genre name -> (families, other)


def _families_of(raw: str) -> tuple[tuple[str, ...], str]:
    """One genre name's super-genres, or its "other:" name; remembered (a few hundred names
    come up again in every feed)."""
    found = _FAMILIES.get(raw)
    if found is None:
        text = _normalize(raw)
        hits = tuple(fam for phrase, fam in _PHRASES if phrase in text)
        found = (hits, "" if hits else "other:" + text.strip())
        if len(_FAMILIES) >= 4096:
            _FAMILIES.clear()
        _FAMILIES[raw] = found
    return found


def _year(track: dict[str, Any]) -> float | None:
    year = _number(track.get("release_year"))
    album = track.get("album")
    if year is None and isinstance(album, dict):
        year = _number(album.get("release_year"))
        if year is None and isinstance(album.get("release_date"), str):
            head = album["release_date"][:4]
            year = float(head) if head.isascii() and head.isdigit() else None
    return year if year is not None and 1900.0 <= year <= 2100.0 else None


_MEMO: dict[tuple[Any, ...], list[float]] = {}
_MEMO_MAX = 4096  # vectors kept; the feed re-ranks the same few hundred tracks all the time


def _memo_key(track: dict[str, Any]) -> tuple[Any, ...] | None:
    """Everything vectorize reads, hashable; None when some input is not (then no memo).
    Values go in with their types (True and 1 hash alike but vectorize treats them
    differently); built from C-level tuple/map calls, since it runs for every candidate
    of every ranking (a key in another field order is only a memo miss)."""
    feats, album, genres = track.get("features"), track.get("album"), track.get("genres")
    if isinstance(feats, dict):
        audio: Any = (tuple(feats.items()), tuple(map(type, feats.values())))
    else:
        audio = (type(feats), feats)
    if isinstance(album, dict):
        released: Any = (album.get("release_year"), album.get("release_date"))
        released = (released, tuple(map(type, released)))
    else:
        released = None
    listed: Any = (tuple(genres), tuple(map(type, genres))) if isinstance(genres, list) \
        else (type(genres), genres)
    scalars = (track.get("popularity"), track.get("release_year"), track.get("duration_ms"),
               track.get("explicit"))
    key = (audio, released, listed, scalars, tuple(map(type, scalars)))
    try:
        hash(key)
    except TypeError:
        return None
    return key


# The remembered vectors' non-zero entries: id(vector) -> (the vector, its indices).
_ACTIVE: dict[int, tuple[list[float], tuple[int, ...]]] = {}


def active(vector: list[float]) -> tuple[int, ...]:
    """The indices of `vector`'s non-zero entries, in order (about half of a track's are
    zero); remembered with the vectors shared_vector remembers, which never change."""
    found = _ACTIVE.get(id(vector))
    if found is not None and found[0] is vector:
        return found[1]
    return tuple(i for i, value in enumerate(vector) if value != 0.0)


# Tracks their holder promises not to change (the model worker's own copies):
# id -> (track, vector, a one-item list for what ranking reads from the track, kept while it
# is held: read by index, no lookup by name).
_HELD: dict[int, tuple[dict[str, Any], list[float], list[Any]]] = {}


def hold(tracks: list[dict[str, Any]]) -> None:
    """`tracks` will not change until released: shared_vector finds their vectors by identity,
    without building the memo key (most of a remembered vector's cost) on every ranking, and
    `derived` keeps what other modules read from them."""
    for track in tracks:
        _HELD[id(track)] = (track, shared_vector(track), [None])


def release(tracks: list[dict[str, Any]]) -> None:
    for track in tracks:
        found = _HELD.get(id(track))
        if found is not None and found[0] is track:
            del _HELD[id(track)]


def derived(tracks: list[Any]) -> list[list[Any] | None]:
    """Each held track's slot (a one-item list, None until filled), for what ranking reads
    from it and keeps while the track is held (its facts and memory row); None for a track
    not held."""
    out: list[list[Any] | None] = []
    for track in tracks:
        held = _HELD.get(id(track))
        out.append(held[2] if held is not None and held[0] is track else None)
    return out


def vectorize(track: dict[str, Any]) -> list[float]:
    """The track's feature vector, in FEATURE_NAMES order (length N_FEATURES): a copy the
    caller may change."""
    return list(shared_vector(track))


def shared_vector(track: dict[str, Any]) -> list[float]:
    """vectorize(), without the copy: for readers only. A pure function of the track's
    fields, memoised by them (bounded), since ranking a feed vectorises the same candidates
    on every request; handing out the remembered list also keeps a track's vector the same
    object from one ranking to the next, which session.Memory's rows are keyed by."""
    held = _HELD.get(id(track))
    if held is not None and held[0] is track:
        return held[1]
    key = _memo_key(track)
    if key is None:
        return _vectorize(track)
    found = _MEMO.get(key)
    if found is None:
        if len(_MEMO) >= _MEMO_MAX:
            _MEMO.clear()
            _ACTIVE.clear()
        found = _MEMO[key] = _vectorize(track)
        _ACTIVE[id(found)] = (found, active(found))
    return found


def _vectorize(track: dict[str, Any]) -> list[float]:
    out: list[float] = [1.0]
    feats = track.get("features")
    feats = feats if isinstance(feats, dict) else {}
    present = [_number(feats.get(name)) for name, _ in _UNIT_AUDIO]
    loud = _number(feats.get("loudness"))
    tempo = _number(feats.get("tempo"))
    mode = _number(feats.get("mode"))
    has_audio = any(v is not None for v in present) or tempo is not None
    out.append(1.0 if has_audio else 0.0)
    unit = [_clamp01(v) if v is not None else fill
            for v, (_, fill) in zip(present, _UNIT_AUDIO, strict=True)]
    out += unit
    out.append(_clamp01((loud + 60.0) / 60.0) if loud is not None else 0.8)
    bpm = tempo if tempo is not None and tempo > 0.0 else 118.0
    out.append(_clamp01((bpm - 50.0) / 170.0))
    out.append(_clamp01(mode) if mode is not None else 0.5)
    out += [_hat(bpm, c, _TEMPO_WIDTH) for c in _TEMPO_CENTERS]
    dance, energy, valence = unit[0], unit[1], unit[2]
    out += [_hat(energy, c, 0.5) for c in _LEVEL_CENTERS]
    out += [_hat(valence, c, 0.5) for c in _LEVEL_CENTERS]
    out += [
        energy * valence,
        energy * (1.0 - valence),
        (1.0 - energy) * valence,
        (1.0 - energy) * (1.0 - valence),
        dance * energy,
    ]

    pop = _number(track.get("popularity"))
    out += [1.0, _clamp01(pop / 100.0)] if pop is not None else [0.0, 0.5]
    year = _year(track)
    out += [1.0, _clamp01((year - 1950.0) / 80.0)] if year is not None else [0.0, 0.6]
    out += [_hat(year, c, _ERA_WIDTH) if year is not None else 0.25 for c in _ERA_CENTERS]
    dur = _number(track.get("duration_ms"))
    if dur is not None and dur > 0.0:
        out += [1.0, _clamp01(dur / 600000.0)]
    else:
        out += [0.0, 0.35]
    explicit = track.get("explicit")
    out += [1.0, 1.0 if explicit else 0.0] if isinstance(explicit, bool) else [0.0, 0.2]

    fams = genre_families(track.get("genres"))
    out.append(1.0 if fams else 0.0)
    out += [1.0 if g in fams else 0.0 for g in GENRES]
    buckets = [0.0] * _GENRE_BUCKETS
    for fam in fams:
        if fam.startswith("other:"):
            buckets[zlib.crc32(fam.encode("utf-8", "surrogatepass")) % _GENRE_BUCKETS] = 1.0
    out += buckets
    out += _analysed(feats)
    return out


def _analysed(feats: dict[str, Any]) -> list[float]:
    """The analysis group: a presence flag, then neutral fills where a value is missing."""
    bright = _number(feats.get("brightness"))
    rhythm = _number(feats.get("rhythm_strength"))
    key = _number(feats.get("key"))
    timbre = [_number(feats.get(f"timbre_{i}")) for i in range(1, _TIMBRE + 1)]
    present = bright is not None or rhythm is not None or any(t is not None for t in timbre)
    b = _clamp01(bright) if bright is not None else 0.5
    r = _clamp01(rhythm) if rhythm is not None else 0.5
    out = [1.0 if present else 0.0, b, r]
    if key is not None and 0.0 <= key <= 11.0 and key == int(key):
        x, y = _FIFTHS[int(key)]
        out += [(x + 1.0) / 2.0, (y + 1.0) / 2.0]
    else:
        out += [0.5, 0.5]
    out += [_hat(b, c, 0.5) for c in _LEVEL_CENTERS]
    out += [_hat(r, c, 0.5) for c in _LEVEL_CENTERS]
    out += [_clamp01((t + 1.0) / 2.0) if t is not None else 0.5 for t in timbre]
    return out
