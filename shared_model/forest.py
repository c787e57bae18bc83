"""Evaluate tree ensembles exported from scikit-learn, in pure Python.

Export format (written by backend.training.export_forest), plain JSON:

    {"format": "encore-trees", "version": 1,
     "kind": "mean_proba"      # RandomForest / ExtraTrees: mean of per-tree P(positive)
           | "boosted_logit",  # GradientBoosting: sigmoid(init + learning_rate * sum(values))
     "n_features": int, "init": float, "learning_rate": float,
     "trees": [{"feature": [int], "threshold": [float], "left": [int], "right": [int],
                "value": [float]}, ...]}

Nodes are parallel lists; a node with left < 0 is a leaf whose `value` is the positive-class
probability (mean_proba) or the regression value (boosted_logit). scikit-learn casts inputs to
float32 before comparing `x <= threshold`, so we round inputs the same way; mean_proba sums
trees in order and divides once, as scikit-learn does, and matches it to the bit.

Speed (the same bits, less work): the float32 rounding of a vector is one C call
(array("f"), the same IEEE round-to-nearest as struct and numpy), and a vector's result is
remembered per ensemble (keyed by its float32 bytes, all the trees read), since a forest
changes only when it is retrained while the same candidates are ranked again and again.
(Compiling the trees to Python code was tried: with results remembered, each vector is
evaluated once per forest, and compiling cost more than it saved, most of all in Pyodide.)
Exported ensembles are treated as read-only once evaluated (they are cached by identity).
"""

from __future__ import annotations

import struct
from array import array
from collections import OrderedDict
from typing import Any

from .detmath import sigmoid

FORMAT = "encore-trees"
FORMAT_VERSION = 1
_F32 = struct.Struct("<f")
_ENSEMBLES_KEPT = 64  # prepared ensembles kept (one per user whose model is in use)
_SCORES_KEPT = 2048  # results kept per ensemble (~300 bytes each: a few feeds' candidates)


def to_float32(x: float) -> float:
    """Round to the nearest float32 (as numpy's astype(float32) does), kept as a float."""
    try:
        return float(_F32.unpack(_F32.pack(x))[0])
    except OverflowError:
        return float("inf") if x > 0.0 else float("-inf")


def to_float32_all(x: list[float]) -> list[float]:
    """to_float32 of every value, in one C call (the same IEEE double→float conversion)."""
    return array("f", x).tolist()


def _leaf_value(tree: dict[str, list[Any]], x32: list[float]) -> float:
    feature, threshold = tree["feature"], tree["threshold"]
    left, right = tree["left"], tree["right"]
    node = 0
    while left[node] >= 0:
        node = left[node] if x32[feature[node]] <= threshold[node] else right[node]
    return float(tree["value"][node])


def validate(exported: dict[str, Any], n_features: int) -> None:
    """Raise ValueError unless `exported` is an ensemble this code can evaluate."""
    if exported.get("format") != FORMAT or exported.get("version") != FORMAT_VERSION:
        raise ValueError("not an encore-trees ensemble of a known version")
    if exported.get("kind") not in ("mean_proba", "boosted_logit"):
        raise ValueError(f"unknown ensemble kind {exported.get('kind')!r}")
    if exported.get("n_features") != n_features:
        raise ValueError("ensemble was trained on a different feature vector")
    trees = exported.get("trees")
    if not isinstance(trees, list) or not trees:
        raise ValueError("ensemble has no trees")
    for tree in trees:
        n = len(tree["left"])
        for key in ("feature", "threshold", "right", "value"):
            if len(tree[key]) != n:
                raise ValueError("tree arrays differ in length")
        for node in range(n):
            lo, hi = tree["left"][node], tree["right"][node]
            if lo >= 0 and not (node < lo < n and node < hi < n
                                and 0 <= tree["feature"][node] < n_features):
                raise ValueError("malformed tree node")


def _walk(exported: dict[str, Any], x32: list[float]) -> float:
    """The reference evaluation: every tree walked node by node."""
    trees = exported["trees"]
    if exported["kind"] == "mean_proba":
        total = 0.0
        for tree in trees:
            total += _leaf_value(tree, x32)
        return total / len(trees)
    raw = float(exported["init"])
    rate = float(exported["learning_rate"])
    for tree in trees:
        raw += rate * _leaf_value(tree, x32)
    return sigmoid(raw)


class _Prepared:
    """An ensemble's trees as tuples of their node lists (no dict lookups per tree), and the
    results computed so far, by vector."""

    def __init__(self, exported: dict[str, Any]) -> None:
        self.exported = exported  # held, so its id is not reused while this lives
        self.kind = exported["kind"]
        self.trees = [(t["feature"], t["threshold"], t["left"], t["right"], t["value"])
                      for t in exported["trees"]]
        self.init = float(exported.get("init", 0.0))
        self.rate = float(exported.get("learning_rate", 1.0))
        self.scores: dict[bytes, float] = {}
        # the same results by the identity of a vector that never changes (shared_vector's)
        self.shared: dict[int, tuple[list[float], float]] = {}

    def function(self, x32: list[float]) -> float:
        """The same arithmetic as _walk, in the same order."""
        if self.kind == "mean_proba":
            total = 0.0
            for feature, threshold, left, right, value in self.trees:
                node = 0
                while left[node] >= 0:
                    node = left[node] if x32[feature[node]] <= threshold[node] else right[node]
                total += float(value[node])
            return total / len(self.trees)
        raw = self.init
        for feature, threshold, left, right, value in self.trees:
            node = 0
            while left[node] >= 0:
                node = left[node] if x32[feature[node]] <= threshold[node] else right[node]
            raw += self.rate * float(value[node])
        return sigmoid(raw)


_PREPARED: OrderedDict[int, _Prepared] = OrderedDict()


def _prepared(exported: dict[str, Any]) -> _Prepared:
    key = id(exported)
    found = _PREPARED.get(key)
    if found is None or found.exported is not exported:
        found = _PREPARED[key] = _Prepared(exported)
        while len(_PREPARED) > _ENSEMBLES_KEPT:
            _PREPARED.popitem(last=False)
    else:
        _PREPARED.move_to_end(key)
    return found


def predict_proba(exported: dict[str, Any], x: list[float]) -> float:
    """Probability of the positive class for one feature vector."""
    prepared = _prepared(exported)
    x32 = array("f", x)  # what the trees read, so the exact key: 4 bytes a feature
    key = x32.tobytes()
    found = prepared.scores.get(key)
    if found is None:
        found = prepared.function(x32.tolist())
        if len(prepared.scores) >= _SCORES_KEPT:
            prepared.scores.clear()
        prepared.scores[key] = found
    return found


def predict_proba_shared(exported: dict[str, Any], vectors: list[list[float]]) -> list[float]:
    """predict_proba of each vector, where the vectors never change (features.shared_vector's):
    found by identity, without rounding and copying each one again on every ranking."""
    prepared = _prepared(exported)
    shared = prepared.shared
    out = []
    for x in vectors:
        found = shared.get(id(x))
        if found is None or found[0] is not x:
            if len(shared) >= _SCORES_KEPT:
                shared.clear()
            found = shared[id(x)] = (x, predict_proba(exported, x))
        out.append(found[1])
    return out


def predict_proba_uncached(exported: dict[str, Any], x: list[float]) -> float:
    """The same value by the reference walk, nothing remembered (for tests and
    the benchmark's side-by-side)."""
    return _walk(exported, [to_float32(v) for v in x])
