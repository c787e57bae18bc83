"""The model learns from analysed sound and says so in its reasons."""

from __future__ import annotations

import random

from shared_model import UserModel, rank


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
