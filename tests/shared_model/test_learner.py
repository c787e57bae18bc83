import math
import random

from shared_model import UserModel, rank
from shared_model.detmath import exp, sigmoid
from shared_model.learner import Learner
from tests.shared_model.synth import interaction, make_track


def test_deterministic_exp_is_accurate():
    rng = random.Random(5)
    for _ in range(20000):
        x = rng.uniform(-60.0, 60.0)
        assert abs(exp(x) - math.exp(x)) <= 4e-16 * math.exp(x)
    assert exp(0.0) == 1.0 and sigmoid(0.0) == 0.5
    assert sigmoid(-1000.0) >= 0.0 and sigmoid(1000.0) == 1.0


def test_learner_moves_towards_targets_and_grows_certain():
    learner = Learner.new(3)
    x = [1.0, 1.0, 0.0]
    before = learner.uncertainty(x)
    for _ in range(50):
        learner.update(x, 1.0, 1.0)
    assert learner.predict(x) > 0.9
    assert learner.uncertainty(x) < before
    assert learner.uncertainty([0.0, 0.0, 1.0]) == 1.0  # never seen: prior uncertainty


def test_steps_shrink_with_evidence_but_a_new_feature_learns_at_full_speed():
    learner = Learner.new(3)
    seen = [1.0, 0.0, 0.0]
    moves = []
    for _ in range(30):
        before = learner.predict(seen)
        learner.update(seen, 1.0, 1.0)
        moves.append(learner.predict(seen) - before)
    assert moves[0] > 0.08  # the first finish counts for a lot
    assert moves[-1] < moves[0] / 10  # the thirtieth hardly moves a settled belief
    fresh = Learner.new(3)
    fresh.update([0.0, 0.0, 1.0], 1.0, 1.0)
    learner.update([0.0, 0.0, 1.0], 1.0, 1.0)
    assert learner.weights[2] == fresh.weights[2]  # evidence elsewhere slows nothing here
    # one skip after thirty finishes is a blip, not a reversal
    learner.update(seen, 0.0, 1.0)
    assert learner.predict(seen) > 0.85


def test_after_finishing_energetic_and_skipping_calm_energetic_tracks_rank_higher():
    rng = random.Random(2)
    model = UserModel.new()
    at = 1_700_000_000_000
    for k in range(60):
        loud = make_track(k, rng, energy=0.75 + 0.2 * rng.random(), genre="rock")
        calm = make_track(1000 + k, rng, energy=0.05 + 0.2 * rng.random(), genre="rock")
        model.learn(interaction(2 * k, loud, "finished", at + 2 * k * 60_000), loud, {})
        model.learn(interaction(2 * k + 1, calm, "skipped", at + (2 * k + 1) * 60_000, 4_000),
                    calm, {})
    candidates = [make_track(5000 + k, rng, energy=k / 40, genre="rock", artist=k)
                  for k in range(40)]
    ranked = rank(model, candidates, {"exploration": 0.0}, 10, at + 10**9)
    energies = [t["features"]["energy"] for t in ranked]
    assert min(energies) > 0.6, energies
    assert "energy" in ranked[0]["reason"].lower() or "intense" in ranked[0]["reason"].lower()


def test_replaying_interactions_is_a_no_op():
    rng = random.Random(3)
    track = make_track(1, rng)
    model = UserModel.new()
    first = interaction(1, track, "finished", 1_700_000_000_000)
    model.learn(first, track, {})
    weights = list(model.learner.weights)
    model.learn(first, track, {})
    model.learn(interaction(0, track, "finished", 1_600_000_000_000), track, {})  # older
    assert model.learner.weights == weights
    assert model.applied_through == f"{1_700_000_000_000:013d}#i000001"


def test_logit_and_variance_in_one_pass_are_the_same_bits():
    """Ranking's one pass over a vector's non-zero entries gives what logit() and
    uncertainty() give (zeros, signs and magnitudes of every kind)."""
    rng = random.Random(7)
    learner = Learner.new(40)
    for _ in range(30):
        x = [rng.choice([0.0, -0.0, rng.uniform(-3, 3), rng.random() * 1e-9]) for _ in range(40)]
        learner.update(x, rng.random(), rng.uniform(0.1, 2.0))
    for _ in range(200):
        x = [rng.choice([0.0, -0.0, rng.uniform(-5, 5), 1.0]) for _ in range(40)]
        active = tuple(i for i, v in enumerate(x) if v != 0.0)
        [(logit, variance)] = learner.logit_variances([x], [active])
        assert logit.hex() == learner.logit(x).hex()
        assert math.sqrt(variance).hex() == learner.uncertainty(x).hex()


def _full_step(weights: list[float], precision: list[float], x: list[float], target: float,
               weight: float) -> float:
    """The step as written before it walked the non-zero entries only: every coordinate
    visited, zeros skipped inside the loops; returns the prediction before the step."""
    m = s2 = 0.0
    for i, xi in enumerate(x):
        if xi != 0.0:
            m += weights[i] * xi
            s2 += xi * xi / precision[i]
    p = sigmoid(m)
    g, h = weight * (target - p), weight * p * (1.0 - p)
    k = 1.0 / (1.0 + s2 * h)
    for i, xi in enumerate(x):
        if xi != 0.0:
            var = 1.0 / precision[i]
            weights[i] += var * xi * g * k
            precision[i] = 1.0 / (var - var * var * xi * xi * h * k)
    return p


def test_a_step_over_the_non_zero_entries_is_the_full_step_to_the_bit():
    """What a learned play costs is a walk over features.active(x); the weights, precisions
    and the prediction it returns are the bits of the walk over every entry."""
    rng = random.Random(11)
    learner = Learner.new(40)
    weights, precision = list(learner.weights), list(learner.precision)
    for _ in range(500):
        x = [rng.choice([0.0, -0.0, rng.uniform(-3, 3), rng.random() * 1e-9, 1.0])
             for _ in range(40)]
        target, weight = rng.random(), rng.uniform(0.1, 2.0)
        active = tuple(i for i, v in enumerate(x) if v != 0.0)
        before = learner.update(x, target, weight, active if rng.random() < 0.5 else None)
        assert before.hex() == _full_step(weights, precision, x, target, weight).hex()
        assert [w.hex() for w in learner.weights] == [w.hex() for w in weights]
        assert [p.hex() for p in learner.precision] == [p.hex() for p in precision]
    assert learner.updates == 500
