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

from dataclasses import dataclass
from typing import Any

from .features import FEATURE_INDEX, FEATURE_NAMES

MAX_LESSONS = 64
MEMORY_K = 1.0  # similarity mass at which the memory's average weighs half
SOUND_SCALE = 0.3  # sound distance at which similarity has fallen to a quarter (no genres)
GENRE_WEIGHT = 1.5  # squared-distance units of sharing no genre at all

SOUND = tuple(FEATURE_INDEX[name] for name in (
    "danceability", "energy", "valence", "acousticness", "instrumentalness", "speechiness",
    "liveness", "loudness", "tempo"))
assert len(SOUND) == 9  # similarity() is unrolled for nine
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
    """1 for the same sound and genres, falling towards 0 as they differ."""
    u, v = a.sound, b.sound
    if u is not None and v is not None:
        # unrolled (len(SOUND) == 9): this runs for every candidate and lesson
        d = u[0] - v[0]
        d2 = d * d
        d = u[1] - v[1]
        d2 += d * d
        d = u[2] - v[2]
        d2 += d * d
        d = u[3] - v[3]
        d2 += d * d
        d = u[4] - v[4]
        d2 += d * d
        d = u[5] - v[5]
        d2 += d * d
        d = u[6] - v[6]
        d2 += d * d
        d = u[7] - v[7]
        d2 += d * d
        d = u[8] - v[8]
        d2 += d * d
        d2 = d2 / (SOUND_SCALE * SOUND_SCALE)
    else:
        d2 = 1.0  # sound unknown: neither near nor far
    total = len(a.genres) + len(b.genres)
    if total:
        shared = len(a.genres & b.genres)
        d2 += GENRE_WEIGHT * (1.0 - 2.0 * shared / total)
    else:
        d2 += GENRE_WEIGHT * 0.5
    q = 1.0 / (1.0 + d2)
    return q * q


def memory(sketch: Sketch, lessons: list[Lesson]) -> float:
    """More like what the listener finished, less like what they skipped (probability
    units): the similarity-weighted mean surprise of the kept lessons, shrunk towards 0."""
    total = mass = 0.0
    for lesson in lessons:
        k = similarity(sketch, lesson.sketch)
        total += k * lesson.surprise
        mass += k
    return total / (mass + MEMORY_K)
