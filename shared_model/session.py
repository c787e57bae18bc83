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
from collections.abc import Callable
from dataclasses import dataclass
from math import fsum
from operator import is_, mul
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


def _point(x: list[float]) -> tuple[Any, ...]:
    """A candidate as _kernels reads it: its sound scaled with its squared length (None
    without a sound), and its genres."""
    sketch = Sketch.of(x)
    return (_scaled(sketch.sound) if sketch.sound is not None else None, sketch.genres)


_LAID_OUT: dict[int, tuple[Lesson, tuple[float, ...]]] = {}


def _laid_out(lesson: Lesson) -> tuple[float, ...]:
    """A lesson's sound as Memory's layout holds it (_scaled; nine zeros and -1 without a
    sound), remembered by the lesson (immutable), since a new Memory is laid out after every
    play with all but one of the last one's lessons."""
    found = _LAID_OUT.get(id(lesson))
    if found is None or found[0] is not lesson:
        sound = lesson.sketch.sound
        if len(_LAID_OUT) >= MAX_ROWS:
            _LAID_OUT.clear()
        found = _LAID_OUT[id(lesson)] = (
            lesson, _scaled(sound) if sound is not None else (0.0,) * len(SOUND) + (-1.0,))
    return found[1]


def _mean(similarities: array[float], products: array[float]) -> float:
    """The memory from a row: sum(similarity * surprise) / (sum(similarity) + MEMORY_K)."""
    return fsum(products) / (fsum(similarities) + MEMORY_K)


@dataclass
class _Row:
    """A candidate's similarity to each lesson of one lesson list, as last computed."""

    vector: list[float]  # held, so that its id stays its own while the row is remembered
    lessons: list[Lesson]  # the model's list (held likewise)
    kept: tuple[Lesson, ...]  # what the list held then
    point: tuple[Any, ...]
    similarities: array[float]
    products: array[float]  # similarity * surprise, lesson by lesson
    memory: float


class RowCell:
    """Where a held candidate keeps its memory row (ranking's facts of a held track carry
    one): found by reading an attribute, not by a lookup of (vector, lesson list) per play."""

    __slots__ = ("row",)

    def __init__(self) -> None:
        self.row: _Row | None = None


_ROWS: dict[tuple[int, int], _Row] = {}
MAX_ROWS = 4096  # candidate rows remembered (a 64-float row each)
_MEMORIES: dict[int, Memory] = {}  # id(a model's lesson list) -> the Memory last laid out for it
MAX_MEMORIES = 64

# Whole rows for new candidates: (lesson layout, lesson genre sets, candidate points) -> one
# row per point. The default is Memory._kernels; the server installs a vectorised one
# (backend/memory_kernel.py) that performs the same operations element by element, so the
# same bits as this file computes in Pyodide.
RowKernel = Callable[[list[tuple[Any, ...]], list[frozenset[int]], list[tuple[Any, ...]]],
                     list["array[float]"]]
_row_kernel: RowKernel | None = None


def use_row_kernel(kernel: RowKernel | None) -> None:
    """Compute new candidates' rows with `kernel` (None: the loop in this file)."""
    global _row_kernel
    _row_kernel = kernel


def _dropped(before: tuple[Lesson, ...], kept: tuple[Lesson, ...]) -> int | None:
    """How many of the oldest lessons went since `before`, when the rest are still first in
    `kept` (the usual change: the oldest dropped, new ones appended); None otherwise."""
    if not kept:
        return None
    for first, lesson in enumerate(before):
        if lesson is kept[0]:
            still = len(before) - first
            if still <= len(kept) and all(map(is_, before[first:], kept[:still])):
                return first
            return None
    return None


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
    only the new lesson's entry is computed, and its product with the lesson's surprise (the
    products are kept beside the similarities, so a play's two sums read two arrays instead of
    multiplying the whole row again). The sums are math.fsum, correctly rounded, so they do
    not depend on how the row was built, nor on the Python version (CPython and Pyodide give
    the same bits)."""

    def __init__(self, lessons: list[Lesson]) -> None:
        self._lessons = lessons
        self._kept = tuple(lessons)
        self._surprises = array("d", [lesson.surprise for lesson in lessons])
        genre_sets: dict[frozenset[int], int] = {}
        for lesson in lessons:
            genre_sets.setdefault(lesson.sketch.genres, len(genre_sets))
        self._genre_sets = list(genre_sets)
        # (b0..b8, |b|^2 or -1 for no sound, index of the genre set) per lesson
        self._layout: list[tuple[Any, ...]] = [
            (*_laid_out(lesson), genre_sets[lesson.sketch.genres]) for lesson in lessons]
        self._terms: dict[frozenset[int], dict[int, float]] = {}

    @classmethod
    def of(cls, lessons: list[Lesson]) -> Memory:
        """A Memory of the model's `lessons` list: the one laid out last time when the list
        still holds the same lessons (the page re-ranks again with nothing learned since), so
        every remembered row is current as it is."""
        found = _MEMORIES.get(id(lessons))
        if (found is not None and found._lessons is lessons
                and len(found._kept) == len(lessons) and all(map(is_, found._kept, lessons))):
            return found
        if len(_MEMORIES) >= MAX_MEMORIES:
            _MEMORIES.clear()
        memory = _MEMORIES[id(lessons)] = cls(lessons)
        return memory

    def __bool__(self) -> bool:
        return bool(self._kept)

    def __call__(self, x: list[float]) -> float:
        return self.many([x])[0]

    def many(self, xs: list[list[float]], cells: list[RowCell] | None = None) -> list[float]:
        """The memory for each feature vector: remembered rows extended, new rows computed
        together (by the installed row kernel, if any). `cells`, one per vector: where held
        candidates keep their rows (ranking's facts), read before the rows' own dict."""
        kept, lessons = self._kept, self._lessons
        rows: list[_Row | None] = ([cell.row for cell in cells] if cells is not None
                                   else [None] * len(xs))
        new: list[int] = []
        # rows remembered from one ranking share their lessons (`kept`): grouped by them
        stale: dict[int, tuple[tuple[Lesson, ...], list[int]]] = {}
        last: tuple[Lesson, ...] | None = None
        group: list[int] = []
        for i, x in enumerate(xs):
            row = rows[i]
            if row is None or row.lessons is not lessons or row.vector is not x:
                # a row holds its vector and lesson list, so their ids in its key are theirs
                row = rows[i] = _ROWS.get((id(x), id(lessons)))
                if row is None:
                    new.append(i)
                    continue
                if cells is not None:
                    cells[i].row = row
            if row.kept is kept:
                continue  # current as it is: the page re-ranks with nothing learned since
            if row.kept is not last:
                last = row.kept
                group = stale.setdefault(id(last), (last, []))[1]
            group.append(i)
        for before, indices in stale.values():
            dropped = _dropped(before, kept)
            if dropped is None:
                new += indices  # the lessons changed otherwise: computed anew
            else:
                self._extend([rows[i] for i in indices], dropped,  # type: ignore[misc]
                             len(before) - dropped)
        if new:
            self._compute(xs, new, rows, cells)
        return [row.memory for row in rows]  # type: ignore[union-attr]  # all found or made

    def _extend(self, rows: list[_Row], dropped: int, start: int) -> None:
        """Rows of the lessons before this list's, `dropped` of them gone since and the
        lessons from `start` on new: the new entries computed, each row's arrays (its own)
        changed in place."""
        surprises = self._surprises[start:]
        parts = self._kernels([row.point for row in rows], start) if surprises else None
        for k, row in enumerate(rows):
            similarities, products = row.similarities, row.products
            if dropped:
                del similarities[:dropped]
                del products[:dropped]
            if parts is not None:
                similarities.extend(parts[k])
                products.extend(map(mul, parts[k], surprises))
            row.kept = self._kept
            row.memory = _mean(similarities, products)

    def _compute(self, xs: list[list[float]], new: list[int], rows: list[_Row | None],
                 cells: list[RowCell] | None) -> None:
        """Whole rows for the vectors at `new`."""
        points = [_point(xs[i]) for i in new]
        computed = (_row_kernel(self._layout, self._genre_sets, points) if _row_kernel
                    else self._kernels(points, 0))
        if len(_ROWS) + len(new) > MAX_ROWS:
            _ROWS.clear()
        for i, point, similarities in zip(new, points, computed, strict=True):
            # holding the vector and the list keeps their ids theirs while the row lives
            products = array("d", map(mul, similarities, self._surprises))
            row = rows[i] = _Row(xs[i], self._lessons, self._kept, point, similarities,
                                 products, _mean(similarities, products))
            _ROWS[id(xs[i]), id(self._lessons)] = row
            if cells is not None:
                cells[i].row = row

    def _kernels(self, points: list[tuple[Any, ...]], start: int) -> list[array[float]]:
        """similarity(candidate, lesson) for each candidate point and the lessons from `start`
        on: one row each."""
        layout, out = self._layout[start:], []
        for sound, genres in points:
            terms = self._terms.get(genres)
            if terms is None:
                terms = self._terms[genres] = {}
            row = array("d")
            out.append(row)
            if sound is None:
                for *_, g in layout:
                    term = terms.get(g)
                    if term is None:
                        term = terms[g] = _genre_term(genres, self._genre_sets[g])
                    q = 1.0 / (2.0 + term)  # sound unknown: d2 = 1 + genre term
                    row.append(q * q)
                continue
            # unrolled (len(SOUND) == 9): this runs for every candidate and lesson
            a0, a1, a2, a3, a4, a5, a6, a7, a8, na = sound
            for b0, b1, b2, b3, b4, b5, b6, b7, b8, nb, g in layout:
                term = terms.get(g)
                if term is None:
                    term = terms[g] = _genre_term(genres, self._genre_sets[g])
                if nb < 0.0:
                    q = 1.0 / (2.0 + term)  # the lesson's sound is unknown
                else:
                    d2 = na + nb - 2.0 * (a0 * b0 + a1 * b1 + a2 * b2 + a3 * b3 + a4 * b4
                                          + a5 * b5 + a6 * b6 + a7 * b7 + a8 * b8)
                    q = 1.0 / (1.0 + (d2 if d2 > 0.0 else 0.0) + term)
                row.append(q * q)
        return out
