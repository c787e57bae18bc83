"""shared_model.device: the one entry point the browser's worker, the server and the bench rank
through. A model loaded before onboarding still ranks with the picks made afterwards, on the
device and on the server alike, and the JSON door the worker uses answers what the Python
calls answer."""

from __future__ import annotations

import copy
import functools
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.catalog.demo import demo_catalog
from backend.training import train_ensemble
from shared_model import UserModel, features, rank, training_examples
from shared_model.device import Device, rank_feed, settled
from shared_model.features import genre_families
from tests.plays import plays
from tests.shared_model import synth

NOW = 1_700_000_000_000
DAY_MS = 86_400_000
CLASSICAL = {"favorite_genres": ["classical"], "exploration": 0.3}


def _families(track: dict) -> list[str]:
    return genre_families(track.get("genres"))


def test_a_model_that_learned_nothing_takes_the_current_picks() -> None:
    before_onboarding = UserModel.new({})
    fresh = settled(before_onboarding, CLASSICAL)
    assert fresh is not before_onboarding
    assert fresh.learner.weights == UserModel.new(CLASSICAL).learner.weights
    assert fresh.learner.weights != before_onboarding.learner.weights


def test_a_model_that_learned_keeps_its_weights() -> None:
    model = UserModel.new({})
    catalog = {t["id"]: t for t in demo_catalog()}
    model.learn_many(plays(list(catalog.values())[:3], start_ms=NOW), catalog, {})
    assert settled(model, CLASSICAL) is model


def test_picks_made_after_the_snapshot_lead_the_device_ranking() -> None:
    device = Device()
    device.load({"model_version": "0", "snapshot": UserModel.new({}).to_dict()}, {})
    device.configure(CLASSICAL)
    top = device.rank(demo_catalog(), 10, NOW)
    by_id = {t["id"]: t for t in demo_catalog()}
    assert all("classical" in _families(by_id[t["id"]]) for t in top)
    assert {t["reason"] for t in top} == {"Because you picked classical"}
    # ... exactly what the server's ranking gives for the same state
    server = rank_feed(UserModel.new({}), demo_catalog(), CLASSICAL, 10, NOW)
    assert [(t["id"], t["score"]) for t in top] == [(t["id"], t["score"]) for t in server]
    # and not what the model ranks without the settled prior (the old worker's list)
    assert [t["id"] for t in rank(UserModel.new({}), demo_catalog(), {}, 10, NOW)] != [
        t["id"] for t in top]


def test_learning_through_the_device_matches_learning_on_the_server() -> None:
    catalog = demo_catalog()
    by_id = {t["id"]: t for t in catalog}
    history = (plays(catalog[:4], start_ms=NOW)
               + plays(catalog[4:8], "skipped", start_ms=NOW + 10_000))
    device = Device()
    device.load(None, {})
    device.configure(CLASSICAL)
    for interaction in history:
        device.learn(interaction, by_id[interaction["track_id"]])
    server = settled(UserModel.new({}), CLASSICAL)
    server.learn_many(history, by_id, CLASSICAL)
    assert device.model.to_dict() == server.to_dict()
    # a replay (the outbox's unsent interactions after a reload) changes nothing
    before = device.model.to_dict()
    device.learn_many([{"interaction": i, "track": by_id[i["track_id"]]} for i in history])
    assert device.model.to_dict() == before


def test_the_json_door_answers_like_the_calls() -> None:
    catalog = demo_catalog()[:120]
    door, direct = Device(), Device()
    assert json.loads(door.handle("load", json.dumps({"snapshot": None, "settings": {}})))[
        "source"] == "new"
    direct.load(None, {})
    door.handle("configure", json.dumps({"settings": CLASSICAL}))
    direct.configure(CLASSICAL)
    answer = json.loads(door.handle("rank", json.dumps(
        {"candidates": catalog, "limit": 30, "now_ms": NOW})))
    assert answer == direct.rank(catalog, 30, NOW)
    with pytest.raises(ValueError, match="unknown action"):
        door.handle("eval", "{}")


def test_an_unreadable_snapshot_starts_fresh_with_the_settings() -> None:
    device = Device()
    status = device.load({"snapshot": {"schema_version": "99.0"}}, CLASSICAL)
    assert status["source"] == "new"
    assert device.model.learner.weights == UserModel.new(CLASSICAL).learner.weights


def test_a_correction_on_the_device_changes_its_next_ranking_and_survives_onboarding() -> None:
    catalog = demo_catalog()
    device = Device()
    device.load(None, {})
    top = device.rank(catalog, 10, NOW)[0]
    artist = next(t for t in catalog if t["id"] == top["id"])["artists"][0]["id"]
    answer = json.loads(device.handle("correct", json.dumps({"correction": {
        "id": "c1", "kind": "block", "target": artist, "at": NOW}})))
    assert answer["interactions"] == 0
    by_id = {t["id"]: t for t in catalog}
    ranked = device.rank(catalog, 640, NOW)
    assert ranked and all(by_id[r["id"]]["artists"][0]["id"] != artist for r in ranked)
    device.configure(CLASSICAL)  # onboarding after the block: a fresh prior, the block kept
    assert all(by_id[r["id"]]["artists"][0]["id"] != artist
               for r in device.rank(catalog, 640, NOW))
    assert device.model.learner.weights == UserModel.new(CLASSICAL).learner.weights


def test_a_pool_sent_once_ranks_by_ids_as_if_sent_again() -> None:
    """The page sends a pool's tracks once and then names them: the ranking is the same as
    with every track sent, in the page's order; ids never sent are asked for, not dropped."""
    pool = demo_catalog()[:200]
    ids = [t["id"] for t in pool]
    device = Device()
    device.configure(CLASSICAL)
    sent_once = json.loads(device.handle("rank", json.dumps(
        {"tracks": pool, "ids": ids, "limit": 30, "now_ms": NOW})))
    by_ids = json.loads(device.handle("rank", json.dumps(
        {"tracks": [], "ids": ids, "limit": 30, "now_ms": NOW})))
    full = json.loads(device.handle("rank", json.dumps(
        {"candidates": pool, "limit": 30, "now_ms": NOW})))
    assert sent_once == by_ids == full
    assert {t["reason"] for t in by_ids[:10]} == {"Because you picked classical"}
    other = Device()
    assert other.handle("rank", json.dumps({"tracks": pool[:5], "ids": ids[:7], "limit": 5,
                                            "now_ms": NOW})) == json.dumps(
        {"missing": ids[5:7]}, separators=(",", ":"))
    changed = {**pool[0], "genres": ["classical"], "features": {**pool[0]["features"]}}
    again = device.rank_held([changed], ids, 200, NOW)  # a changed track replaces the held one
    assert isinstance(again, list) and device.tracks[ids[0]] is changed


def test_a_track_sent_again_changed_ranks_by_what_it_is_now() -> None:
    """The device keeps the tracks it was sent (and their vectors): a track the page sends
    again, changed, is scored as it is now, exactly as a device that never saw it would."""
    pool = [t for t in demo_catalog() if "classical" not in _families(t)][:60]
    ids = [t["id"] for t in pool]
    device = Device()
    device.configure(CLASSICAL)
    before = {t["id"]: t["score"] for t in device.rank_held(pool, ids, 60, NOW)}  # type: ignore[union-attr]
    changed = {**pool[0], "genres": ["classical"]}
    again = {t["id"]: t["score"] for t in device.rank_held([changed], ids, 60, NOW)}  # type: ignore[union-attr]
    fresh = Device()
    fresh.configure(CLASSICAL)
    never_saw = {t["id"]: t["score"] for t in fresh.rank([changed, *pool[1:]], 60, NOW)}
    assert again == never_saw
    assert again[ids[0]] > before[ids[0]]
    held = len(features._HELD)  # what the device lets go of is let go: no growth per send
    for _ in range(20):
        device.rank_held([{**changed}], ids, 60, NOW)
    assert len(features._HELD) == held


def test_a_held_pool_re_ranked_through_a_listening_session_ranks_as_if_never_seen() -> None:
    """The worker keeps what it reads from its held tracks and the memory's layout between
    re-ranks: after each play, correction, settings change and a new forest, its ranking of
    the held pool is the ranking of fresh copies of the same tracks, score for score."""
    catalog = demo_catalog()
    pool, by_id = catalog[:200], {t["id"]: t for t in catalog}
    ids = [t["id"] for t in pool]
    device = Device()
    device.load(None, CLASSICAL)
    first = device.rank_held(pool, ids, 200, NOW)
    steps = [*plays(pool[:30], start_ms=NOW),
             *plays(pool[30:45], "skipped", start_ms=NOW + 60_000)]
    artist = pool[50]["artists"][0]["id"]
    rankings = [first]
    for k, interaction in enumerate(steps):
        device.learn(interaction, by_id[interaction["track_id"]])
        if k == 10:
            device.correct({"id": "c1", "kind": "block", "target": artist, "at": NOW + k})
        if k == 20:
            device.configure({**CLASSICAL, "exploration": 0.9, "allow_explicit": False})
        if k == 30:  # a forest from the server: every candidate's forest part changes
            examples = training_examples(steps[:30], by_id, CLASSICAL)
            device.model.set_ensemble(train_ensemble(examples), len(examples))
        held = device.rank_held([], ids, 200, NOW + 120_000)
        model = UserModel.from_dict(copy.deepcopy(device.model.to_dict()))  # nothing shared
        fresh = rank_feed(model, copy.deepcopy(pool), device.settings, 200, NOW + 120_000)
        assert held == [{"id": t["id"], "score": t["score"], "reason": t["reason"]}
                        for t in fresh]
        rankings.append(held)
    assert all(r["id"] != pool[50]["id"] for r in rankings[-1])  # the block holds
    assert len({json.dumps(r) for r in rankings}) > 40  # and every step moved the ranking


def test_scores_kept_between_re_ranks_never_outlive_the_learner_or_the_forest() -> None:
    """A re-rank with nothing learned answers from the scores the last one computed; a new
    forest (even one trained on as many plays), a reset or one more play ranks anew, as a
    fresh copy of the model would."""
    catalog = demo_catalog()
    pool, by_id = catalog[:200], {t["id"]: t for t in catalog}
    ids = [t["id"] for t in pool]
    device = Device()
    device.load(None, CLASSICAL)
    device.rank_held(pool, ids, 200, NOW)
    steps = [*plays(pool[:20], start_ms=NOW), *plays(pool[20:40], "skipped", start_ms=NOW + 1)]
    steps.sort(key=lambda interaction: interaction["at"])
    for interaction in steps[:20]:
        device.learn(interaction, by_id[interaction["track_id"]])
    later = NOW + 120_000

    def as_fresh() -> list[dict]:
        model = UserModel.from_dict(copy.deepcopy(device.model.to_dict()))
        return [{"id": t["id"], "score": t["score"], "reason": t["reason"]}
                for t in rank_feed(model, copy.deepcopy(pool), device.settings, 200, later)]

    rankings = [device.rank_held([], ids, 200, later)]
    assert device.rank_held([], ids, 200, later) == rankings[0] == as_fresh()
    for first, last in ((0, 20), (10, 30)):  # two forests, each trained on 20 plays
        examples = training_examples(steps[first:last], by_id, CLASSICAL)
        device.model.set_ensemble(train_ensemble(examples), len(examples))
        rankings.append(device.rank_held([], ids, 200, later))
        assert rankings[-1] == as_fresh()
    device.correct({"id": "c1", "kind": "reset", "target": "", "at": NOW + 30_000})
    rankings.append(device.rank_held([], ids, 200, later))
    assert rankings[-1] == as_fresh()
    [after_reset] = plays(pool[45:46], start_ms=NOW + 40_000)
    device.learn(after_reset, pool[45])
    rankings.append(device.rank_held([], ids, 200, later))
    assert rankings[-1] == as_fresh()
    assert len({json.dumps(r) for r in rankings}) == len(rankings)  # each step moved it


def test_only_the_device_keeps_scores_between_rankings() -> None:
    """The page's worker keeps its model's scores for the next re-rank; a model ranked on the
    server does not (each cached listener would hold ~120 KB more, outside the cache's count),
    and both rank alike."""
    pool = demo_catalog()[:200]
    ids = [t["id"] for t in pool]
    [finish] = plays(pool[:1], start_ms=NOW)
    device = Device()
    device.load(None, CLASSICAL)
    device.learn(finish, pool[0])
    on_device = device.rank_held(pool, ids, 50, NOW + 60_000)
    server_model = UserModel.new(CLASSICAL)
    server_model.learn(finish, pool[0], CLASSICAL)
    on_server = rank_feed(server_model, copy.deepcopy(pool), CLASSICAL, 50, NOW + 60_000)
    assert len(device.model._evaluated) >= 199 and server_model._evaluated == {}
    assert on_device == [{"id": t["id"], "score": t["score"], "reason": t["reason"]}
                         for t in on_server]


@functools.cache
def _forest() -> tuple[dict, int]:
    """A forest of the server's, trained on 120 plays of the synth catalog."""
    pool = synth.catalog(300, seed=3)
    rng = random.Random(5)
    history = [{**p, "type": kind, "position_ms": 3000 if kind == "skipped" else t["duration_ms"]}
               for t in rng.sample(pool, 120)
               for kind in [rng.choice(["finished", "skipped"])]
               for p in plays([t], start_ms=NOW)]
    examples = training_examples(history, {t["id"]: t for t in pool}, {})
    return train_ensemble(examples), len(examples)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), before=st.integers(0, 600),
       exploration=st.floats(0.0, 1.0), picks=st.sets(st.sampled_from(synth.GENRES), max_size=2),
       explicit=st.booleans(), forest=st.booleans(), limit=st.sampled_from([1, 10, 30, 60]),
       steps=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(
           ["finished", "skipped", "liked", "again"])), min_size=2, max_size=8))
def test_after_every_play_the_device_feed_is_the_full_rankings(
        seed, before, exploration, picks, explicit, forest, limit, steps) -> None:
    """The worker may leave candidates unscored after a play when their bounds show they
    cannot reach the feed's first ones (ranking._best): whatever the pool, the listener's past,
    settings and forest, and play after play (or a re-rank with nothing learned, "again"), its
    feed is the ranking of every candidate by a fresh copy of the model, score for score."""
    rng = random.Random(seed)
    pool = synth.catalog(200, seed=seed % 1000)
    ids, at = [t["id"] for t in pool], NOW - 30 * DAY_MS  # the past is over a month old
    settings_ = {"exploration": exploration, "favorite_genres": sorted(picks),
                 "allow_explicit": explicit}
    device = Device()
    device.load(None, settings_)
    if forest:
        device.model.set_ensemble(*_forest())
    for track in (rng.choice(pool) for _ in range(before)):
        at += 1_000
        kind = rng.choice(["finished", "finished", "skipped"])
        [play] = plays([track], kind, start_ms=at)
        device.learn(play, track)
    at = NOW
    device.rank_held(pool, ids, limit, at + 1)
    for pick, kind in steps:
        at += 60_000
        if kind != "again":
            track = pool[pick % len(pool)]
            [play] = plays([track], kind, start_ms=at)
            device.learn(play, track)
        held = device.rank_held([], ids, limit, at + 1)
        model = UserModel.from_dict(copy.deepcopy(device.model.to_dict()))  # nothing shared
        fresh = rank_feed(model, copy.deepcopy(pool), device.settings, limit, at + 1)
        assert held == [{"id": t["id"], "score": t["score"], "reason": t["reason"]}
                        for t in fresh]


def test_a_settled_listener_s_re_rank_after_a_play_scores_only_what_can_lead() -> None:
    """Once a listener's learner moves little with each play (a long history), a re-rank after
    a play scores the candidates that can still reach the feed's first ones, not the whole
    pool, and its feed is the full ranking's."""
    pool = synth.catalog(200, seed=11)
    ids, at = [t["id"] for t in pool], NOW - 30 * DAY_MS
    device = Device()
    device.load(None, {"exploration": 0.3})
    device.model.set_ensemble(*_forest())
    rng = random.Random(2)
    for track in (rng.choice(pool) for _ in range(600)):
        at += 1_000
        [play] = plays([track], rng.choice(["finished", "skipped"]), start_ms=at)
        device.learn(play, track)
    at = NOW
    device.rank_held(pool, ids, 30, at + 1)
    scored = []
    for track in pool[:6]:
        at += 60_000
        [play] = plays([track], start_ms=at)
        device.learn(play, track)
        held = device.rank_held([], ids, 30, at + 1)
        scored.append(len(device.model._evaluated))  # evaluated since the play
        model = UserModel.from_dict(copy.deepcopy(device.model.to_dict()))
        assert held == [{"id": t["id"], "score": t["score"], "reason": t["reason"]}
                        for t in rank_feed(model, copy.deepcopy(pool), device.settings, 30,
                                           at + 1)]
    assert min(scored) < len(pool) // 2, scored  # (a play the model did not expect moves
    # it further: then all are scored)
