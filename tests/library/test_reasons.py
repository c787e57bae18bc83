"""The model learns from the sound of tracks and says so in its reasons: one quality, or two
when both carry the track (never two that contradict each other or the track)."""

from __future__ import annotations

import math
import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from shared_model import UserModel, rank
from shared_model.features import N_FEATURES


def analysed(n: int, bright: bool, rng: random.Random, tempo: float = 100.0) -> dict:
    return {"id": f"local-{n:020d}", "source": "local", "name": f"T{n}",
            "artists": [{"id": f"a{n}", "name": f"A{n}"}], "album": {"name": "X", "images": []},
            "genres": [], "explicit": False, "duration_ms": 200_000,
            "features": {"brightness": 0.9 if bright else 0.1, "rhythm_strength": 0.5,
                         "tempo": tempo + rng.random(), "key": 0.0, "mode": 1.0,
                         **{f"timbre_{k}": 0.0 for k in range(1, 9)}}}


def ranked_after_finishing_every_other(tracks: list[dict]) -> list[dict]:
    """The top ten of the last 80 tracks for a listener who finished the even ones of the
    first 120 and skipped the odd ones at 4 s."""
    model = UserModel.new({})
    at = 1_700_000_000_000
    for n, track in enumerate(tracks[:120]):
        kind = "finished" if n % 2 == 0 else "skipped"
        model.learn({"id": f"i{n}", "track_id": track["id"], "type": kind,
                     "position_ms": 200_000 if kind == "finished" else 4_000,
                     "duration_ms": 200_000, "at": at + n * 1000}, track, {})
    return rank(model, tracks[120:], {"exploration": 0.0}, 10, at + 10**6)


def test_a_listener_who_finishes_bright_tracks_hears_why() -> None:
    rng = random.Random(3)
    tracks = [analysed(n, n % 2 == 0, rng) for n in range(200)]
    ranked = ranked_after_finishing_every_other(tracks)
    assert all(t["features"]["brightness"] == 0.9 for t in ranked[:8])
    assert "Bright and crisp, like the tracks you finish" in {t["reason"] for t in ranked[:8]}


def test_a_listener_who_finishes_slow_tracks_hears_it_named() -> None:
    """Tempo in words with its direction, not just "a tempo range"."""
    rng = random.Random(5)
    tracks = [analysed(n, n % 4 < 2, rng, tempo=70.0 if n % 2 == 0 else 165.0)
              for n in range(200)]
    ranked = ranked_after_finishing_every_other(tracks)
    assert all(t["features"]["tempo"] < 80 for t in ranked[:8])
    assert "Slow, like the tracks you finish" in {t["reason"] for t in ranked[:8]}


def described(n: int, slow_acoustic: bool, rng: random.Random, acoustic: bool = True) -> dict:
    """A track with Spotify-like features: slow and acoustic, or fast and electric (or, with
    `acoustic` off, no difference in acousticness)."""
    return {**analysed(n, False, rng), "id": f"track-{n:06d}", "source": "demo",
            "features": {"tempo": (70.0 if slow_acoustic else 165.0) + rng.random(),
                         "acousticness": (0.9 if slow_acoustic else 0.1) if acoustic else 0.5,
                         "energy": 0.5, "valence": 0.5, "danceability": 0.5}}


def test_two_qualities_that_both_carry_a_track_are_both_named() -> None:
    """Finishing slow acoustic tracks and skipping fast electric ones: the slow acoustic
    candidates say both; where acousticness made no difference, only the tempo is named."""
    rng = random.Random(7)
    ranked = ranked_after_finishing_every_other(
        [described(n, n % 2 == 0, rng) for n in range(200)])
    assert all(t["features"]["acousticness"] == 0.9 for t in ranked[:8])
    assert {t["reason"] for t in ranked[:8]} == {
        "Slow and acoustic, like the tracks you finish"}
    ranked = ranked_after_finishing_every_other(
        [described(n, n % 2 == 0, rng, acoustic=False) for n in range(200)])
    assert {t["reason"] for t in ranked[:8]} == {"Slow, like the tracks you finish"}


# Words of one scale: a reason names at most one of each ("Slow and fast", "Calm and loud",
# "Upbeat and upbeat" are never said), and never these across scales.
SCALES = ({"slow", "unhurried", "mid-tempo", "up-tempo", "fast"}, {"calm", "high-energy", "loud"},
          {"upbeat", "moody"}, {"bright", "warm-toned"}, {"rhythmic", "danceable", "free-flowing"},
          {"instrumental", "vocal-forward"})
CONTRADICTIONS = {frozenset(p) for p in (("calm", "fast"), ("calm", "up-tempo"),
                                          ("calm", "danceable"), ("calm", "rhythmic"))}
# What each word claims about the track's measured features (hat features named at half-height).
CLAIMS = {
    "slow": lambda f: f["tempo"] < 82.5, "unhurried": lambda f: 82.5 < f["tempo"] < 107.5,
    "mid-tempo": lambda f: 107.5 < f["tempo"] < 132.5,
    "up-tempo": lambda f: 132.5 < f["tempo"] < 157.5, "fast": lambda f: f["tempo"] > 157.5,
    "calm": lambda f: f["energy"] <= 0.25, "high-energy": lambda f: f["energy"] >= 0.6,
    "loud": lambda f: f["loudness"] >= -9.0, "danceable": lambda f: f["danceability"] >= 0.6,
    "rhythmic": lambda f: f["rhythm_strength"] >= 0.6,
    "free-flowing": lambda f: f["rhythm_strength"] <= 0.25,
    "upbeat": lambda f: f["valence"] >= 0.6, "moody": lambda f: f["valence"] <= 0.25,
    "acoustic": lambda f: f["acousticness"] >= 0.6,
    "instrumental": lambda f: f["instrumentalness"] >= 0.6,
    "vocal-forward": lambda f: f["speechiness"] >= 0.6,
    "live-sounding": lambda f: f["liveness"] >= 0.6,
    "bright": lambda f: f["brightness"] >= 0.6, "warm-toned": lambda f: f["brightness"] <= 0.25,
}
PAIR = re.compile(r"^([a-z-]+) and ([a-z-]+), like the tracks you finish$")
UNIT = ("danceability", "energy", "valence", "acousticness", "instrumentalness", "speechiness",
        "liveness", "brightness", "rhythm_strength")
measured = st.fixed_dictionaries({}, optional={
    "tempo": st.floats(40, 220), "loudness": st.floats(-40, 0),
    **{name: st.floats(0, 1) for name in UNIT}})


@settings(max_examples=150, deadline=None)
@given(weights=st.lists(st.floats(-3, 3), min_size=N_FEATURES, max_size=N_FEATURES),
       tracks=st.lists(measured, min_size=1, max_size=12))
def test_a_reason_never_contradicts_itself_nor_the_track(weights: list[float],
                                                         tracks: list[dict]) -> None:
    """Whatever the listener taught the model and whatever the candidates sound like: at most
    two qualities, never two of one scale or a contradiction, each true of the track."""
    model = UserModel.new({})
    model.learner.weights = list(weights)
    model.interactions = 500  # past the cold start: the reasons come from the weights
    candidates = [{"id": f"t{n}", "artists": [{"id": f"a{n}", "name": f"A{n}"}],
                   "features": features} for n, features in enumerate(tracks)]
    for track in rank(model, candidates, {"exploration": 0.0}, 12, 1_700_000_000_000):
        found = PAIR.match(track["reason"].lower())
        if found is None or not {found[1], found[2]} <= CLAIMS.keys():
            continue  # one quality, or a phrase of its own ("Upbeat and energetic")
        words = {found[1], found[2]}
        assert len(words) == 2, track["reason"]
        assert not any(len(words & scale) > 1 for scale in SCALES), track["reason"]
        assert frozenset(words) not in CONTRADICTIONS, track["reason"]
        features = {**{name: math.nan for name in (*UNIT, "tempo", "loudness")},
                    **track["features"]}  # nothing is true of what was not measured
        assert all(CLAIMS[w](features) for w in words), (track["reason"], track["features"])
