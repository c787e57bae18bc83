"""The item-to-item memory's new rows in numpy, for the server (shared_model.session).

A refreshed feed at 50,000 tracks brings ~300 candidates the node has not ranked for this
listener, each compared with up to 64 lessons: in pure Python that loop was the largest part
of the feed's CPU. Here the same arithmetic runs on whole arrays, one elementwise operation
at a time and in the same order as Memory._kernels (products, then the sum left to right,
|u|^2 + |v|^2 first, no fused multiply-add), so every similarity has the same bits as the
loop the browser runs in Pyodide; tests/backend/test_memory_kernel.py holds it to that.
"""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np

from shared_model.session import _genre_term, use_row_kernel


def rows(layout: list[tuple[Any, ...]], genre_sets: list[frozenset[int]],
         points: list[tuple[Any, ...]]) -> list[array[float]]:
    """One row of similarities per candidate point, against every lesson of the layout."""
    if not points:
        return []
    lessons = np.array([entry[:10] for entry in layout], dtype=np.float64).reshape(-1, 10)
    genre_of = np.array([entry[10] for entry in layout], dtype=np.intp)
    by_genres: dict[frozenset[int], Any] = {}
    terms = np.empty((len(points), len(layout)))
    for c, (_, genres) in enumerate(points):
        per_set = by_genres.get(genres)
        if per_set is None:
            per_set = by_genres[genres] = np.array(
                [_genre_term(genres, lesson_genres) for lesson_genres in genre_sets])
        terms[c] = per_set[genre_of] if len(genre_sets) else 0.0
    unknown = 1.0 / (2.0 + terms)  # a sound unknown on either side: d2 = 1 + genre term
    q = unknown.copy()
    heard = [c for c, (sound, _) in enumerate(points) if sound is not None]
    lesson_heard = lessons[:, 9] >= 0.0
    if heard:
        a = np.array([points[c][0] for c in heard], dtype=np.float64)
        dot = np.multiply.outer(a[:, 0], lessons[:, 0])
        for j in range(1, 9):
            dot = dot + np.multiply.outer(a[:, j], lessons[:, j])
        d2 = np.add.outer(a[:, 9], lessons[:, 9]) - 2.0 * dot
        near = 1.0 / ((1.0 + np.where(d2 > 0.0, d2, 0.0)) + terms[heard])
        q[heard] = np.where(lesson_heard, near, unknown[heard])
    k = q * q
    return [array("d", row.tobytes()) for row in k]


def install() -> None:
    """Use these rows in this process's rankings."""
    use_row_kernel(rows)
