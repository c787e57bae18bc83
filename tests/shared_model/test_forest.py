"""scikit-learn parity: exported ensembles evaluated in pure Python match predict_proba."""

import json

import numpy as np
import pytest
from sklearn.ensemble import (
    ExtraTreesClassifier,
    GradientBoostingClassifier,
    RandomForestClassifier,
)

from backend.training import export_forest, train_ensemble
from shared_model import forest
from shared_model.features import N_FEATURES

N = 8


def _data(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.RandomState(seed)
    X = rng.rand(400, N)
    X[:, 3] = rng.randint(0, 3, 400)  # a discrete column: many points exactly at thresholds
    y = ((X[:, 0] - 0.5) * (X[:, 1] - 0.4) + 0.1 * X[:, 3] + 0.1 * rng.randn(400) > 0.05)
    return X, y.astype(int), rng.uniform(0.2, 2.0, 400)


def _probe_points(model_json: dict, X: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.RandomState(seed + 1)
    points = [rng.rand(2000, N) * 1.2 - 0.1, X]
    # every split threshold, exactly, and its float32 neighbours
    for tree in model_json["trees"]:
        for f, t, left in zip(tree["feature"], tree["threshold"], tree["left"], strict=True):
            if left < 0:
                continue
            base = rng.rand(3, N)
            t32 = np.float32(t)
            for value in (t, float(t32), float(np.nextafter(t32, np.float32(2))),
                          float(np.nextafter(t32, np.float32(-2)))):
                row = base.copy()
                row[:, f] = value
                points.append(row)
    return np.vstack(points)


@pytest.mark.parametrize("make", [
    lambda: RandomForestClassifier(n_estimators=25, max_leaf_nodes=40, random_state=1),
    lambda: ExtraTreesClassifier(n_estimators=25, max_leaf_nodes=40, random_state=2),
    lambda: GradientBoostingClassifier(n_estimators=25, max_leaf_nodes=8, random_state=3),
], ids=["random_forest", "extra_trees", "gradient_boosting"])
def test_pure_python_matches_predict_proba(make):
    X, y, w = _data(0)
    model = make().fit(X, y, sample_weight=w)
    exported = json.loads(json.dumps(export_forest(model)))  # through JSON, as stored
    forest.validate(exported, N)
    points = _probe_points(exported, X, 0)
    expected = model.predict_proba(points)[:, 1]
    got = np.array([forest.predict_proba(exported, row.tolist()) for row in points])
    assert np.max(np.abs(got - expected)) <= 1e-9
    assert len(set(np.round(expected, 6))) > 20  # a real model, not a constant


def test_float32_rounding_decides_at_the_threshold():
    # a value that is > threshold in float64 but rounds onto it in float32 goes left
    t = float(np.float32(0.3))
    above = np.nextafter(t, 1.0)
    assert above > t and forest.to_float32(above) == t


def test_train_ensemble_needs_enough_data_and_both_classes():
    x = [0.5] * N_FEATURES
    assert train_ensemble([(x, 1.0, 1.0)] * 100) is None
    assert train_ensemble([(x, 1.0, 1.0), (x, 0.0, 1.0)] * 5) is None


def test_trained_ensemble_is_small_and_valid():
    rng = np.random.RandomState(4)
    examples = [(rng.rand(N_FEATURES).tolist(), float(rng.rand() > 0.5), 1.0)
                for _ in range(3000)]
    exported = train_ensemble(examples)
    assert exported is not None
    forest.validate(exported, N_FEATURES)
    assert len(json.dumps(exported)) < 300_000
    with pytest.raises(ValueError):
        forest.validate(exported, N_FEATURES + 1)


@pytest.mark.parametrize("make", [
    lambda: RandomForestClassifier(n_estimators=25, max_leaf_nodes=40, random_state=1),
    lambda: GradientBoostingClassifier(n_estimators=25, max_leaf_nodes=8, random_state=3),
], ids=["random_forest", "gradient_boosting"])
def test_remembered_results_equal_the_tree_walk_exactly(make):
    X, y, w = _data(5)
    exported = json.loads(json.dumps(export_forest(make().fit(X, y, sample_weight=w))))
    rows = _probe_points(exported, X, 5).tolist()
    rows += [[-0.0] * N, [float("inf")] * N, [float("-inf")] * N, [1e39] * N, [float("nan")] * N]
    walked = [forest.predict_proba_uncached(exported, row) for row in rows]
    first = [forest.predict_proba(exported, row) for row in rows]  # computed, then remembered
    again = [forest.predict_proba(exported, row) for row in rows]  # from memory

    def same(a: list[float], b: list[float]) -> bool:  # to the bit; NaN only where NaN
        return all(p == q or (p != p and q != q) for p, q in zip(a, b, strict=True))

    assert same(walked, first) and same(first, again)
    assert len(set(walked)) > 20


def test_a_deep_chain_gives_the_reference_result():
    depth = 80  # a chain: every left child a leaf
    n = 2 * depth + 1
    feature, threshold, left, right, value = [], [], [], [], []
    for node in range(n):
        inner = node % 2 == 0 and node < n - 1
        feature.append(0 if inner else -1)
        threshold.append(node / n if inner else 0.0)
        left.append(node + 1 if inner else -1)
        right.append(node + 2 if inner else -1)
        value.append(0.0 if inner else node / n)
    exported = {"format": forest.FORMAT, "version": forest.FORMAT_VERSION, "kind": "mean_proba",
                "n_features": 1, "init": 0.0, "learning_rate": 1.0,
                "trees": [{"feature": feature, "threshold": threshold, "left": left,
                           "right": right, "value": value}]}
    forest.validate(exported, 1)
    for v in (0.0, 0.25, 0.5, 0.99, 2.0):
        assert forest.predict_proba(exported, [v]) == forest.predict_proba_uncached(exported, [v])
