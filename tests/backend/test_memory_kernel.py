"""The server's numpy rows for the item-to-item memory are the browser's rows, bit for bit:
generated lessons and candidates (sounds, no sounds, any genres) through both."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.memory_kernel import rows
from shared_model.session import MAX_LESSONS, Lesson, Memory, Sketch, _point
from tests.shared_model.test_session import _GENRES, _vector

_sounds = st.none() | st.tuples(*[st.floats(0.0, 1.0)] * 9)
_sketches = st.builds(Sketch, _sounds, st.frozensets(st.sampled_from(_GENRES), max_size=3))
_lessons = st.lists(st.builds(Lesson, st.just("t"), _sketches, st.floats(-1.0, 1.0),
                              st.just(0)), max_size=MAX_LESSONS)


@settings(max_examples=300, deadline=None)
@given(_lessons, st.lists(_sketches, max_size=12))
def test_numpy_rows_have_the_bits_of_the_loop(lessons: list[Lesson],
                                             candidates: list[Sketch]) -> None:
    memory = Memory(lessons)
    points = [_point(_vector(sketch)) for sketch in candidates]
    vectorised = rows(memory._layout, memory._genre_sets, points)
    looped = memory._kernels(points, 0)
    assert [[v.hex() for v in row] for row in vectorised] == \
        [[v.hex() for v in row] for row in looped]
