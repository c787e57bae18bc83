"""The item-to-item memory (shared_model/session.py): quick skips turn the feed away from
what they share, a finish brings more like it, only the last MAX_LESSONS plays count, and the
memory travels in the snapshot so server and device rank alike."""

from __future__ import annotations

import json
import random
from math import fsum
from operator import mul
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from shared_model import UserModel, decode, encode, features, rank
from shared_model.features import FEATURE_INDEX, N_FEATURES
from shared_model.session import (
    _GENRES,
    MAX_LESSONS,
    MEMORY_K,
    SOUND,
    Lesson,
    Memory,
    Sketch,
    _point,
    similarity,
)
from tests.shared_model.synth import interaction

NOW = 1_700_000_000_000

# Three styles with their own sound, as genres have: (energy, acousticness, instrumentalness)
STYLES = {"ambient": (0.12, 0.9, 0.9), "rock": (0.85, 0.08, 0.1), "jazz": (0.4, 0.75, 0.55),
          "pop": (0.7, 0.15, 0.02)}


def _track(i: int, genre: str, rng: random.Random, popularity: int | None = None
           ) -> dict[str, Any]:
    energy, acoustic, instrumental = STYLES[genre]

    def near(v: float) -> float:
        return round(min(1.0, max(0.0, v + rng.gauss(0.0, 0.06))), 3)

    return {
        "id": f"{genre}-{i:03d}", "name": f"{genre} {i}", "genres": [genre],
        "artists": [{"id": f"{genre}-artist-{i % 12}", "name": f"{genre} artist {i % 12}"}],
        "album": {"name": "Album", "release_year": 2000 + i % 20}, "release_year": 2000 + i % 20,
        "duration_ms": 200_000, "explicit": False,
        "popularity": rng.randrange(30, 80) if popularity is None else popularity,
        "features": {"danceability": near(0.5), "energy": near(energy), "valence": near(0.5),
                     "acousticness": near(acoustic), "instrumentalness": near(instrumental),
                     "speechiness": near(0.05), "liveness": near(0.15),
                     "loudness": round(-30 + 25 * energy, 2), "tempo": 80 + 80 * energy,
                     "key": i % 12, "mode": i % 2},
    }


def _catalog(**popularity: int) -> list[dict[str, Any]]:
    rng = random.Random(3)
    return [_track(i, genre, rng, popularity.get(genre)) for genre in STYLES for i in range(40)]


def _genres(ranked: list[dict[str, Any]]) -> list[str]:
    return [t["genres"][0] for t in ranked]


def test_two_quick_skips_of_ambient_leave_at_most_one_ambient_in_the_next_ten():
    tracks = _catalog()
    settings = {"favorite_genres": ["ambient"]}
    model = UserModel.new(settings)
    before = rank(model, tracks, settings, 5, NOW)
    assert _genres(before).count("ambient") >= 3  # the picked genre leads the new feed
    at = NOW
    for n, track in enumerate([t for t in before if t["genres"] == ["ambient"]][:2]):
        at += 60_000
        model.learn(interaction(n, track, "skipped", at, position_ms=3_000), track, settings)
    after = rank(model, tracks, settings, 10, at + 1_000)
    assert _genres(after).count("ambient") <= 1  # without the memory: still all ten


def test_a_finish_brings_more_like_it_into_the_next_five():
    tracks = _catalog(jazz=10)  # obscure: a new listener's feed has no jazz
    model = UserModel.new({})
    before = rank(model, tracks, {}, 5, NOW)
    assert "jazz" not in _genres(before)
    jazz = next(t for t in tracks if t["genres"] == ["jazz"])
    model.learn(interaction(1, jazz, "finished", NOW + 200_000), jazz, {})
    after = rank(model, tracks, {}, 5, NOW + 201_000)
    assert _genres(after).count("jazz") >= 3


def test_only_the_last_plays_are_remembered():
    tracks = _catalog()
    model = UserModel.new({})
    at = NOW
    played = tracks[:MAX_LESSONS + 5]
    for n, track in enumerate(played):
        at += 200_000
        model.learn(interaction(n, track, "finished", at), track, {})
    assert [lesson.track_id for lesson in model.lessons] == [t["id"] for t in played[5:]]


def test_the_memory_survives_a_snapshot_so_server_and_device_rank_alike():
    tracks = _catalog()
    model = UserModel.new({})
    at = NOW
    for n, track in enumerate(tracks[::23][:6]):
        at += 90_000
        kind = "finished" if n % 2 else "skipped"
        model.learn(interaction(n, track, kind, at, position_ms=None if n % 2 else 4_000),
                    track, {})
    copy = decode(encode(model))
    assert copy.lessons == model.lessons and len(model.lessons) == 6
    assert rank(copy, tracks, {}, 20, at + 1_000) == rank(model, tracks, {}, 20, at + 1_000)


_sounds = st.none() | st.tuples(*[st.floats(0.0, 1.0)] * 9)
_sketches = st.builds(Sketch, _sounds, st.frozensets(st.sampled_from(_GENRES), max_size=3))
_lessons = st.lists(st.builds(Lesson, st.just("t"), _sketches, st.floats(-1.0, 1.0),
                              st.just(0)), max_size=MAX_LESSONS)


def _vector(sketch: Sketch) -> list[float]:
    """A feature vector that Sketch.of reads back as `sketch`."""
    x = [0.0] * N_FEATURES
    if sketch.sound is not None:
        x[FEATURE_INDEX["audio_present"]] = 1.0
        for i, v in zip(SOUND, sketch.sound, strict=True):
            x[i] = v
    for i in sketch.genres:
        x[i] = 1.0
    return x


def _defined(sketch: Sketch, lessons: list[Lesson]) -> float:
    total = sum(similarity(sketch, lesson.sketch) * lesson.surprise for lesson in lessons)
    mass = sum(similarity(sketch, lesson.sketch) for lesson in lessons)
    return total / (mass + MEMORY_K)


@settings(max_examples=300, deadline=None)
@given(_sketches, _lessons)
def test_the_fast_memory_is_the_similarity_weighted_mean_surprise(sketch: Sketch,
                                                                   lessons: list[Lesson]):
    """Memory lays the lessons out for speed (a dot product per pair, genre terms looked up);
    it must still be the memory the docstring defines, pair by pair, for any sounds and
    genres, with or without a sound on either side."""
    assert Sketch.of(_vector(sketch)) == sketch
    assert abs(Memory(lessons)(_vector(sketch)) - _defined(sketch, lessons)) < 1e-12


@settings(max_examples=200, deadline=None)
@given(st.lists(_sketches, min_size=1, max_size=5), _lessons, _lessons,
       st.integers(0, MAX_LESSONS))
def test_a_remembered_row_gives_the_same_bits_as_one_computed_whole(
        sketches: list[Sketch], before: list[Lesson], added: list[Lesson], dropped: int):
    """The page re-ranks after every play with one lesson more (and the oldest gone): each
    candidate's row is extended, not recomputed, its products with the surprises kept. It must
    answer exactly what a fresh row answers (the server computes rows whole), and what the
    memory's two fsums over the whole row give, whatever was dropped and added."""
    vectors = [_vector(s) for s in sketches]
    lessons = list(before)
    for x in vectors:
        Memory(lessons)(x)  # rows remembered for these lessons
    lessons.extend(added)
    del lessons[:dropped]
    extended = [Memory(lessons)(x) for x in vectors]
    fresh = [Memory(list(lessons))(x) for x in vectors]  # another list: nothing remembered
    assert [v.hex() for v in extended] == [v.hex() for v in fresh]
    surprises = [lesson.surprise for lesson in lessons]
    for value, x in zip(extended, vectors, strict=True):
        similarities = Memory(list(lessons))._kernels([_point(x)], 0)[0]
        whole = fsum(map(mul, similarities, surprises)) / (fsum(similarities) + MEMORY_K)
        assert value.hex() == whole.hex()
    for value, sketch in zip(extended, sketches, strict=True):
        assert abs(value - _defined(sketch, lessons)) < 1e-12


def test_listeners_ranking_the_same_held_tracks_each_get_their_own_memory():
    """The server holds the demo catalog (features.hold) and ranks it for every listener, and
    a held track keeps its memory row with its facts: that row must never answer for another
    listener's lessons. Two listeners with opposite tastes rank the same held tracks in turn,
    learning between turns; each ranks as a fresh copy of itself ranks fresh copies."""
    tracks = _catalog()
    features.hold(tracks)
    try:
        listeners = [UserModel.new({}), UserModel.new({})]
        at = NOW
        for turn in range(4):
            for n, model in enumerate(listeners):
                at += 90_000
                track = tracks[(turn * 7 + n * 40) % len(tracks)]
                kind = "finished" if (turn + n) % 2 else "skipped"
                model.learn(interaction(turn * 2 + n, track, kind, at,
                                        position_ms=None if kind == "finished" else 4_000),
                            track, {})
                held = rank(model, tracks, {}, 40, at + 1_000)
                fresh = rank(decode(encode(model)), json.loads(json.dumps(tracks)), {}, 40,
                             at + 1_000)
                assert [(t["id"], t["score"].hex()) for t in held] == [
                    (t["id"], t["score"].hex()) for t in fresh]
    finally:
        features.release(tracks)


def test_a_track_like_a_finished_one_is_remembered_more_than_one_unlike_it():
    g1, g2 = _GENRES[1], _GENRES[4]
    finished = Sketch((0.8, 0.9, 0.7, 0.1, 0.0, 0.05, 0.1, 0.8, 0.6), frozenset({g1}))
    near = Sketch((0.75, 0.85, 0.7, 0.15, 0.0, 0.05, 0.1, 0.8, 0.55), frozenset({g1}))
    far = Sketch((0.2, 0.1, 0.3, 0.9, 0.8, 0.05, 0.1, 0.3, 0.2), frozenset({g2}))
    recall = Memory([Lesson("a", finished, 0.6, 1)])
    assert recall(_vector(near)) > 0.2 > 0.02 > recall(_vector(far)) >= 0.0
