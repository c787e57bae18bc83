"""The listener's corrections (shared_model/taste.py): what they forget is unlearned, what
they block never comes up, a reset starts afresh, a private session teaches nothing."""

from __future__ import annotations

import random
from typing import Any

from shared_model import UserModel, rank, training_examples
from shared_model.model import decode, encode
from shared_model.taste import Taste
from tests.shared_model.synth import catalog, history, make_track

START = 1_700_000_000_000
SETTINGS: dict[str, Any] = {"exploration": 0.0}


def _tracks() -> list[dict[str, Any]]:
    return catalog(300, seed=11)


def _fix(kind: str, target: str = "", at: int = 0, n: int = 0) -> dict[str, Any]:
    return {"id": f"c{n:04d}", "kind": kind, "target": target, "at": at}


def _built(interactions: list[dict[str, Any]], tracks: list[dict[str, Any]],
           corrections: tuple[dict[str, Any], ...] | list[dict[str, Any]] = ()) -> UserModel:
    model = UserModel.new(SETTINGS, corrections)
    model.learn_many(interactions, {t["id"]: t for t in tracks}, SETTINGS)
    return model


def _artist(track: dict[str, Any]) -> str:
    return str(track["artists"][0]["id"])


def test_a_blocked_artist_is_never_ranked_until_unblocked() -> None:
    tracks = _tracks()
    model = _built(history(tracks, 200), tracks)
    top = rank(model, tracks, SETTINGS, 30, START + 10**9)
    artist = _artist(top[0])
    model.correct(_fix("block", artist, START + 1), SETTINGS)
    ranked = rank(model, tracks, SETTINGS, 300, START + 10**9)
    assert ranked and all(_artist(t) != artist for t in ranked)
    model.correct(_fix("unblock", artist, START + 2, 1), SETTINGS)
    assert any(_artist(t) == artist for t in rank(model, tracks, SETTINGS, 300, START + 10**9))


def test_forgetting_an_artist_unlearns_their_plays_exactly() -> None:
    tracks = _tracks()
    plays = history(tracks, 400)
    artist = _artist(next(t for t in tracks if t["id"] == plays[0]["track_id"]))
    by_id = {t["id"]: t for t in tracks}
    forget_at = plays[-1]["at"] + 1
    forgot = _built(plays, tracks, [_fix("forget_artist", artist, forget_at)])
    without = _built([p for p in plays if _artist(by_id[p["track_id"]]) != artist], tracks)
    assert forgot.learner.weights == without.learner.weights
    assert forgot.learner.weights != _built(plays, tracks).learner.weights
    # and they stay out of the feed until the listener plays them again
    ranked = rank(forgot, tracks, SETTINGS, 300, forget_at + 10**9)
    assert all(_artist(t) != artist for t in ranked)


def test_a_play_after_the_forget_brings_the_artist_back() -> None:
    tracks = _tracks()
    plays = history(tracks, 100)
    track = next(t for t in tracks if t["id"] == plays[0]["track_id"])
    forget_at = plays[-1]["at"] + 1
    model = _built(plays, tracks, [_fix("forget_artist", _artist(track), forget_at)])
    again = {**plays[0], "id": "again", "at": forget_at + 60_000}
    model.learn(again, track, SETTINGS)
    assert _artist(track) not in model.taste.forgotten_artists
    others = [t for t in tracks if _artist(t) == _artist(track) and t["id"] != track["id"]]
    ranked_ids = {t["id"] for t in rank(model, tracks, SETTINGS, 300, forget_at + 10**9)}
    assert others and any(t["id"] in ranked_ids for t in others)


def test_forgetting_a_track_takes_it_out_of_the_model_and_the_feed() -> None:
    tracks = _tracks()
    plays = history(tracks, 300)
    target = plays[5]["track_id"]
    forget_at = plays[-1]["at"] + 1
    model = _built(plays, tracks)
    assert model.correct(_fix("forget_track", target, forget_at), SETTINGS) is True
    assert target not in [t["id"] for t in rank(model, tracks, SETTINGS, 300, forget_at)]
    assert all(t != target for t, _ in model.recent_skips) and target not in model.disliked
    replayed = _built(plays, tracks, [_fix("forget_track", target, forget_at)])
    assert replayed.learner.weights == _built(
        [p for p in plays if p["track_id"] != target], tracks).learner.weights


def test_a_reset_now_equals_a_replay_that_honours_it() -> None:
    tracks = _tracks()
    plays = history(tracks, 300)
    reset = _fix("reset", at=plays[199]["at"] + 1)
    by_id = {t["id"]: t for t in tracks}
    live = _built(plays[:200], tracks)
    assert live.correct(reset, SETTINGS) is False  # nothing left to replay
    assert live.interactions == 0 and live.recent_plays == []
    live.learn_many(plays[200:], by_id, SETTINGS)
    replayed = _built(plays, tracks, [reset])
    assert live.learner.weights == replayed.learner.weights
    assert live.learner.weights == _built(plays[200:], tracks).learner.weights
    assert live.to_dict() == replayed.to_dict()


def test_a_private_session_keeps_the_plays_but_teaches_nothing() -> None:
    tracks = _tracks()
    plays = history(tracks, 300)
    pause = _fix("pause", at=plays[100]["at"] - 1, n=1)
    resume = _fix("resume", at=plays[200]["at"] - 1, n=2)
    model = _built(plays, tracks, [pause, resume])
    outside = plays[:100] + plays[200:]
    assert model.learner.weights == _built(outside, tracks).learner.weights
    assert model.applied_through == _built(plays, tracks).applied_through
    # still in one: what is played now teaches nothing, but it is a play
    open_session = _built(plays[:150], tracks, [pause])
    assert open_session.learner.weights == _built(plays[:100], tracks).learner.weights
    assert open_session.recent_plays[-1][0] == plays[149]["track_id"]


def test_corrections_fold_the_same_in_any_order() -> None:
    fixes = [_fix("block", "a1", START + 5, 1), _fix("unblock", "a1", START + 9, 2),
             _fix("forget_track", "t1", START + 3, 3), _fix("pause", at=START + 1, n=4),
             _fix("resume", at=START + 7, n=5), _fix("block", "a2", START + 8, 6)]
    expected = Taste.fold(fixes).to_dict()
    rng = random.Random(1)
    for _ in range(5):
        rng.shuffle(fixes)
        assert Taste.fold(fixes).to_dict() == expected
    assert expected["blocked"] == {"a2": START + 8}
    assert expected["paused"] == [[START + 1, START + 7]] and expected["paused_since"] == 0


def test_training_examples_leave_out_what_was_forgotten_or_private() -> None:
    tracks = _tracks()
    plays = history(tracks, 120)
    by_id = {t["id"]: t for t in tracks}
    fixes = [_fix("forget_track", plays[0]["track_id"], plays[-1]["at"] + 1, 1),
             _fix("pause", at=plays[50]["at"] - 1, n=2),
             _fix("resume", at=plays[60]["at"] - 1, n=3)]
    kept = [p for i, p in enumerate(plays)
            if p["track_id"] != plays[0]["track_id"] and not 50 <= i < 60]
    assert training_examples(plays, by_id, SETTINGS, fixes) == training_examples(
        kept, by_id, SETTINGS)


def test_the_snapshot_carries_the_taste_and_old_snapshots_read_without_one() -> None:
    rng = random.Random(2)
    track = make_track(1, rng)
    model = UserModel.new(SETTINGS, [_fix("block", "a9", START, 1),
                                     _fix("forget_artist", "a3", START + 1, 2)])
    model.learn({"id": "x", "track_id": track["id"], "type": "finished", "position_ms": 1,
                 "duration_ms": 1, "at": START + 2}, track, SETTINGS)
    again = decode(encode(model))
    assert again.taste == model.taste and again.taste.blocked == {"a9": START}
    old = model.to_dict()
    old.pop("taste")
    old["schema_version"] = "1.1"
    assert UserModel.from_dict(old).taste.is_empty()
