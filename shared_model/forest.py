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
"""

from __future__ import annotations

import struct
from typing import Any

from .detmath import sigmoid

FORMAT = "encore-trees"
FORMAT_VERSION = 1
_F32 = struct.Struct("<f")


def to_float32(x: float) -> float:
    """Round to the nearest float32 (as numpy's astype(float32) does), kept as a float."""
    try:
        return float(_F32.unpack(_F32.pack(x))[0])
    except OverflowError:
        return float("inf") if x > 0.0 else float("-inf")


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


def predict_proba(exported: dict[str, Any], x: list[float]) -> float:
    """Probability of the positive class for one feature vector."""
    x32 = [to_float32(v) for v in x]
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
