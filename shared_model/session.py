"""Item-to-item memory: "more like what you finished", "less like what you skipped".

The model keeps its last MAX_LESSONS labelled plays as lessons: the track's sound (nine
audio features), its genre families, when it was played, and its surprise, the label's
weight times (target - what the learner predicted just before learning it). A finish the
model did not expect is a large positive surprise, a quick skip of a track it rated well a
large negative one. At ranking time a candidate gets

    memory = sum(similarity(candidate, lesson) * surprise) / (sum(similarity) + MEMORY_K)

over the lessons: the similarity-weighted mean surprise of its neighbours, shrunk towards 0
when it has few. The linear learner moves every track with the dense audio features at once;
this moves only the neighbourhood of what was just heard, which is what a taste centred on
a sound or a genre needs (bench/recsys.py: docs/quality.md).

Only + - * / and comparisons: the same bits on CPython and Pyodide.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from operator import is_
from typing import Any

from .features import FEATURE_INDEX, FEATURE_NAMES

MAX_LESSONS = 64
MEMORY_K = 1.0  # similarity mass at which the memory's average weighs half
SOUND_SCALE = 0.3  # sound distance at which similarity has fallen to a quarter (no genres)
GENRE_WEIGHT = 1.5  # squared-distance units of sharing no genre at all

SOUND = tuple(FEATURE_INDEX[name] for name in (
    "danceability", "energy", "valence", "acousticness", "instrumentalness", "speechiness",
    "liveness", "loudness", "tempo"))
assert len(SOUND) == 9  # Memory._kernels() is unrolled for nine
_AUDIO_PRESENT = FEATURE_INDEX["audio_present"]
_GENRES = tuple(i for i, name in enumerate(FEATURE_NAMES) if name.startswith("genre_"))


@dataclass(frozen=True)
class Sketch:
    """What similarity reads from a feature vector: the sound (None when the track has no
    audio features) and the indices of its genre families."""

    sound: tuple[float, ...] | None
    genres: frozenset[int]

    @classmethod
    def of(cls, x: list[float]) -> Sketch:
        sound = tuple(x[i] for i in SOUND) if x[_AUDIO_PRESENT] else None
        return cls(sound, frozenset(i for i in _GENRES if x[i]))


@dataclass(frozen=True)
class Lesson:
    track_id: str
    sketch: Sketch
    surprise: float
    at: int

    def to_list(self) -> list[Any]:
        sound = list(self.sketch.sound) if self.sketch.sound is not None else None
        return [self.track_id, sound, sorted(self.sketch.genres), self.surprise, self.at]

    @classmethod
    def from_list(cls, item: list[Any]) -> Lesson:
        track_id, sound, genres, surprise, at = item
        sketch = Sketch(tuple(float(v) for v in sound) if sound is not None else None,
                        frozenset(int(g) for g in genres))
        return cls(str(track_id), sketch, float(surprise), int(at))


def similarity(a: Sketch, b: Sketch) -> float:
    """1 for the same sound and genres, falling towards 0 as they differ (Memory computes
    the same for many candidates at once; this is its definition, for one pair)."""
    if a.sound is not None and b.sound is not None:
        d2 = 0.0
        for u, v in zip(a.sound, b.sound, strict=True):
            d2 += (u - v) * (u - v)
        d2 = d2 / (SOUND_SCALE * SOUND_SCALE)
    else:
        d2 = 1.0  # sound unknown: neither near nor far
    d2 += _genre_term(a.genres, b.genres)
    q = 1.0 / (1.0 + d2)
    return q * q


def _genre_term(a: frozenset[int], b: frozenset[int]) -> float:
    total = len(a) + len(b)
    if not total:
        return GENRE_WEIGHT * 0.5
    return GENRE_WEIGHT * (1.0 - 2.0 * len(a & b) / total)


def _scaled(sound: tuple[float, ...]) -> tuple[float, ...]:
    """The sound in units of SOUND_SCALE, and its squared length last."""
    scaled = tuple(v / SOUND_SCALE for v in sound)
    norm = 0.0
    for v in scaled:
        norm += v * v
    return (*scaled, norm)


# candidate rows: (vector, lesson list, lessons then, similarity per lesson, the two sums)
_ROWS: dict[tuple[int, int], tuple[list[float], list[Lesson], tuple[Lesson, ...], array[float],
                                   float, float]] = {}
MAX_ROWS = 4096  # candidate rows remembered (a 64-float row each)


class Memory:
    """More like what the listener finished, less like what they skipped (probability
    units): for a candidate's feature vector, the similarity-weighted mean surprise of the
    kept lessons, shrunk towards 0.

    A feed asks this of hundreds of candidates against the same lessons, and the page asks
    again after every play with one lesson more. So the lessons are laid out once (each
    sound pre-scaled with its squared length, making a pair one dot product on local
    variables, |u|^2 + |v|^2 - 2 u.v; the genre term looked up per pair of genre sets), and
    each candidate's row of similarities is remembered (by its feature vector, which
    features.vectorize hands out once per track, and the model's lesson list): after a play
    only the new lesson's entry is computed. A row extended or computed whole is summed in
    the same order with the same operations, so it gives the same bits, on CPython and
    Pyodide alike."""

    def __init__(self, lessons: list[Lesson]) -> None:
        self._lessons = lessons
        self._kept = tuple(lessons)
        self._surprises = [lesson.surprise for lesson in lessons]
        genre_sets: dict[frozenset[int], int] = {}
        for lesson in lessons:
            genre_sets.setdefault(lesson.sketch.genres, len(genre_sets))
        self._genre_sets = list(genre_sets)
        # (b0..b8, |b|^2 or -1 for no sound, index of the genre set, surprise) per lesson
        self._layout: list[tuple[Any, ...]] = [
            (*(_scaled(lesson.sketch.sound) if lesson.sketch.sound is not None
               else (0.0,) * len(SOUND) + (-1.0,)),
             genre_sets[lesson.sketch.genres], lesson.surprise) for lesson in lessons]
        self._terms: dict[frozenset[int], list[float]] = {}

    def __bool__(self) -> bool:
        return bool(self._kept)

    def __call__(self, x: list[float]) -> float:
        key = (id(x), id(self._lessons))
        entry = _ROWS.get(key)
        kept = self._kept
        if entry is not None and entry[0] is x and entry[1] is self._lessons and kept:
            _, _, before, row, total, mass = entry
            # the usual change since: the oldest lessons dropped, new ones appended
            first = next((i for i, lesson in enumerate(before) if lesson is kept[0]), None)
            if first is not None:
                still = len(before) - first
                if still <= len(kept) and all(map(is_, before[first:], kept[:still])):
                    if first or still < len(kept):
                        row = row[first:] + self._kernels(Sketch.of(x), still)[0]
                        total = mass = 0.0
                        for k, surprise in zip(row, self._surprises, strict=True):
                            total += k * surprise
                            mass += k
                        _ROWS[key] = (x, self._lessons, kept, row, total, mass)
                    return total / (mass + MEMORY_K)
        row, total, mass = self._kernels(Sketch.of(x), 0)
        if len(_ROWS) >= MAX_ROWS:
            _ROWS.clear()
        # holding x and the list keeps their ids theirs while the entry lives
        _ROWS[key] = (x, self._lessons, kept, row, total, mass)
        return total / (mass + MEMORY_K)

    def _kernels(self, sketch: Sketch, start: int) -> tuple[array[float], float, float]:
        """similarity(sketch, lesson) for the lessons from `start` on, and the sums of
        similarity x surprise and of similarity over them."""
        terms = self._terms.get(sketch.genres)
        if terms is None:
            terms = self._terms[sketch.genres] = [
                _genre_term(sketch.genres, genres) for genres in self._genre_sets]
        row = array("d")
        total = mass = 0.0
        if sketch.sound is None:
            for *_, g, surprise in self._layout[start:]:
                q = 1.0 / (2.0 + terms[g])  # sound unknown: d2 = 1 + genre term
                k = q * q
                row.append(k)
                total += k * surprise
                mass += k
            return row, total, mass
        # unrolled (len(SOUND) == 9): this runs for every candidate and lesson
        a0, a1, a2, a3, a4, a5, a6, a7, a8, na = _scaled(sketch.sound)
        for b0, b1, b2, b3, b4, b5, b6, b7, b8, nb, g, surprise in self._layout[start:]:
            if nb < 0.0:
                q = 1.0 / (2.0 + terms[g])  # the lesson's sound is unknown
            else:
                d2 = na + nb - 2.0 * (a0 * b0 + a1 * b1 + a2 * b2 + a3 * b3 + a4 * b4
                                      + a5 * b5 + a6 * b6 + a7 * b7 + a8 * b8)
                q = 1.0 / (1.0 + (d2 if d2 > 0.0 else 0.0) + terms[g])
            k = q * q
            row.append(k)
            total += k * surprise
            mass += k
        return row, total, mass
