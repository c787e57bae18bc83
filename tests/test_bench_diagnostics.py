"""The bench's diagnostic policies measure what they say (bench/diagnostics.py)."""

import random

import numpy as np

from bench import gap_probe, score_probe
from bench.catalog import build
from bench.diagnostics import FeatureOraclePolicy, PoolOraclePolicy
from bench.listeners import KINDS, make
from bench.policies import POOL, EncorePolicy
from bench.pool_probe import probe_one
from bench.recsys import run_one, simulate
from shared_model import training_examples
from shared_model.device import rank_feed
from shared_model.model import _fresh_learner
from shared_model.ranking import rank

NOW = 1_700_000_000_000


def test_the_pool_oracle_plays_only_what_encores_feed_handed_over_and_the_best_of_it():
    catalog = build(0)
    listener = make(catalog, "mood", 0, 2, 20)
    policy = PoolOraclePolicy(listener)
    policy.session_start()
    pool = {t["id"] for t in rank_feed(policy.server, catalog.tracks, policy.settings, POOL, NOW)}
    best_anywhere = max(catalog.tracks, key=listener.finish_probability)
    pick = policy.choose(list(catalog.tracks), NOW)
    assert pick["id"] in pool and len(pool) == POOL
    in_pool = [t for t in catalog.tracks if t["id"] in pool]
    assert listener.finish_probability(pick) == max(map(listener.finish_probability, in_pool))
    if best_anywhere["id"] not in pool:  # the pool's cost, which is what it measures
        assert listener.finish_probability(pick) < listener.finish_probability(best_anywhere)


def test_the_feature_oracle_predicts_each_track_from_a_fit_that_never_saw_it():
    catalog = build(0)
    listener = make(catalog, "loyalist", 0, 1, 20)
    tracks = catalog.tracks[:400]
    truth = {t["id"]: random.Random(t["id"]).random() for t in tracks}
    listener.finish_probability = lambda t: 0.03 + 0.94 * truth[t["id"]]  # pure noise
    policy = FeatureOraclePolicy(listener, random.Random(0), "linear")
    policy.choose(tracks, NOW)
    # a taste the features cannot explain: a fit that saw the track would still track it
    predicted = [policy.values[t["id"]] for t in tracks]
    actual = [truth[t["id"]] for t in tracks]
    mp, ma = sum(predicted) / len(predicted), sum(actual) / len(actual)
    cov = sum((p - mp) * (a - ma) for p, a in zip(predicted, actual, strict=True))
    var_p = sum((p - mp) ** 2 for p in predicted)
    var_a = sum((a - ma) ** 2 for a in actual)
    assert cov / (var_p * var_a) ** 0.5 < 0.2


def test_the_pool_probe_leaves_encores_plays_as_they_are_and_reads_both_picks():
    """bench/pool_probe.py compares Encore's pick with a fresh pool's on the same state: its
    'old' figures are Encore's only if probing changes nothing Encore plays."""
    # listener 3: one whose fresh pool's top differs from Encore's within 30 plays (listener 2's
    # stopped differing once a picks listener's prior got tighter, docs/quality.md v7)
    rows, finished = probe_one(0, 3, 30)
    assert finished == run_one(0, 3, KINDS, 30, "encore").finished and len(rows) == 30
    assert all(0.0 < r[1] < 1.0 and 0.0 < r[2] < 1.0 for r in rows)
    assert any(not r[3] for r in rows)  # the fresh pool's top is sometimes another track


def test_the_gap_probe_replays_each_session_from_encores_state_within_the_pool_or_not():
    """bench/gap_probe.py splits Encore's gap into the pool's part and the ranking's: its
    'encore' must be Encore's plays, each replay starts from the listener as it was and
    leaves it as it is, and the two oracles meet the same draws."""
    catalog = build(0)
    listener = make(catalog, "mood", 0, 2, 20)
    pool = catalog.tracks[:40]
    in_pool = gap_probe.replay(listener, pool, 10)
    anywhere = gap_probe.replay(listener, catalog.tracks, 10)
    assert listener.plays == 0 and listener.recent == []  # the replays moved copies only
    # the same state and draw at the first play: the best anywhere finishes if the pool's does
    assert len(in_pool) == len(anywhere) == 10 and (anywhere[0] or not in_pool[0])
    assert sum(anywhere) >= sum(in_pool)
    run = gap_probe.probe_one(0, 3, 60)
    assert run["encore"] == run_one(0, 3, KINDS, 60, "encore").finished
    assert sorted(run["sessions"]) == [0, 50]
    assert [len(o) for o, _ in run["sessions"].values()] == [50, 10]


def test_the_score_probe_splits_encores_own_scores_and_leaves_its_plays_alone():
    """bench/score_probe.py orders the device's candidates by each part of Encore's score:
    the parts must add up to the score ranking gives, the whole score's order must be
    ranking's own (before artist spacing), and the probe must not change what Encore plays."""
    catalog = build(0)
    policy = EncorePolicy({"favorite_genres": ["jazz"]})
    policy.session_start()
    policy.choose(list(catalog.tracks), NOW)
    scored = score_probe.parts(policy.device.model, policy.pool, policy.device.settings, NOW)
    for _, s in scored:
        assert abs(s["blend"] + s["prior"] + s["explore"] + s["memory"] - s["total"]) < 1e-12
    ranked = rank(policy.device.model, policy.pool, policy.device.settings, 1, NOW)
    assert min(scored, key=lambda ts: (-ts[1]["total"], ts[0]["id"]))[0]["id"] == ranked[0]["id"]
    run = score_probe.probe_one(0, 3, 30)
    assert run["finished"] == run_one(0, 3, KINDS, 30, "encore").finished
    best = [row[score_probe.BEST][0] for row in run["rows"]]
    for name in (score_probe.PLAYED, *score_probe.ORDERS, score_probe.CEILING):
        assert all(row[name][0] <= b for row, b in zip(run["rows"], best, strict=True))


def test_the_score_probes_other_learners_are_encores_filter_in_full_and_the_batch_optimum():
    """bench/score_probe.py's full-covariance Kalman is Encore's learner's step with the whole
    matrix: kept to its diagonal after every step it gives Encore's weights; its batch MAP
    fit is the optimum (the gradient of the penalised loss is zero there)."""
    catalog = build(0)
    listener = make(catalog, "loyalist", 0, 1, 40)
    policy = EncorePolicy({"favorite_genres": listener.picks})
    simulate(policy, listener, catalog.tracks, 40, "l1")
    lessons = training_examples(policy.history, policy.tracks, policy.settings)
    fresh = _fresh_learner(policy.settings)
    mean0, precision0 = np.array(fresh.weights), np.array(fresh.precision)
    kalman = score_probe.FullKalman(mean0, precision0)
    for x, target, weight in lessons:
        kalman.update(np.array(x), target, weight)
        kalman.cov = np.diag(np.diag(kalman.cov))
    assert np.max(np.abs(kalman.mean - policy.device.model.learner.weights)) < 1e-12
    X = np.array([x for x, _, _ in lessons])
    y = np.array([t for _, t, _ in lessons])
    w = np.array([wt for _, _, wt in lessons])
    beta = score_probe.map_fit(X, y, w, mean0, precision0, mean0)
    p = 1.0 / (1.0 + np.exp(-(X @ beta)))
    assert np.max(np.abs(X.T @ (w * (p - y)) + precision0 * (beta - mean0))) < 1e-8
