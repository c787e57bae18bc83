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

Speed (the same bits, less work): an ensemble is compiled once into one Python function of
nested comparisons (each threshold and leaf value a constant: no list lookups per node), the
float32 rounding of a vector is one C call (array('f'), the same IEEE round-to-nearest as
struct and numpy), and a vector's result is remembered per ensemble, since a forest changes
only when it is retrained while the same candidates are ranked again and again. Exported
ensembles are treated as read-only once evaluated (they are cached by identity).
"""

from __future__ import annotations

import math
import struct
from array import array
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from .detmath import sigmoid

FORMAT = "encore-trees"
FORMAT_VERSION = 1
_F32 = struct.Struct("<f")
MAX_COMPILED_DEPTH = 60  # deeper trees (not ours) are walked instead of compiled
_ENSEMBLES_KEPT = 256  # compiled ensembles kept (one per user whose model is in use)
_SCORES_KEPT = 8192  # results kept per ensemble


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


def _constant(value: Any) -> str:
    """A float as source text that reads back as the very same float (or ValueError)."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return repr(number)


def _tree_lines(tree: dict[str, list[Any]], add: str) -> list[str]:
    """Nested ifs that end in `add.format(leaf)` for the leaf x reaches (ValueError if the
    tree cannot be compiled: too deep, a cycle, a value that is not a finite number)."""
    feature, threshold = tree["feature"], tree["threshold"]
    left, right, value = tree["left"], tree["right"], tree["value"]
    lines: list[str] = []
    stack: list[tuple[int, int, str]] = [(0, 1, "")]  # (node, depth, "" or "else")
    while stack:
        node, depth, prefix = stack.pop()
        if depth > MAX_COMPILED_DEPTH:
            raise ValueError("tree too deep to compile")
        pad = "    " * depth
        if prefix:
            lines.append(f"{pad[4:]}else:")
        if int(left[node]) < 0:
            lines.append(pad + add.format(_constant(value[node])))
            continue
        lines.append(f"{pad}if x[{int(feature[node])}] <= {_constant(threshold[node])}:")
        stack.append((int(right[node]), depth + 1, "else"))
        stack.append((int(left[node]), depth + 1, ""))
    return lines


def _compile(exported: dict[str, Any]) -> Callable[[list[float]], float]:
    """One function of the float32-rounded vector, adding up the trees in their order."""
    trees = exported["trees"]
    if exported["kind"] == "mean_proba":
        lines = ["def ensemble(x):", "    t = 0.0"]
        for tree in trees:
            lines += _tree_lines(tree, "t += {}")
        lines.append(f"    return t / {len(trees)}")
    else:
        rate = _constant(exported["learning_rate"])
        lines = ["def ensemble(x):", f"    t = {_constant(exported['init'])}"]
        for tree in trees:
            lines += _tree_lines(tree, f"t += {rate} * {{}}")
        lines.append("    return sigmoid(t)")
    scope: dict[str, Any] = {"sigmoid": sigmoid}
    exec(compile("\n".join(lines), "<encore-trees>", "exec"), scope)  # numbers only: see above
    function: Callable[[list[float]], float] = scope["ensemble"]
    return function


class _Compiled:
    def __init__(self, exported: dict[str, Any]) -> None:
        self.exported = exported  # held, so its id is not reused while this lives
        try:
            self.function: Callable[[list[float]], float] = _compile(exported)
        except (ValueError, TypeError, KeyError, IndexError, SyntaxError, RecursionError):
            self.function = lambda x32: _walk(exported, x32)
        self.scores: dict[tuple[float, ...], float] = {}


_COMPILED: OrderedDict[int, _Compiled] = OrderedDict()


def _compiled(exported: dict[str, Any]) -> _Compiled:
    key = id(exported)
    found = _COMPILED.get(key)
    if found is None or found.exported is not exported:
        found = _COMPILED[key] = _Compiled(exported)
        while len(_COMPILED) > _ENSEMBLES_KEPT:
            _COMPILED.popitem(last=False)
    else:
        _COMPILED.move_to_end(key)
    return found


def predict_proba(exported: dict[str, Any], x: list[float]) -> float:
    """Probability of the positive class for one feature vector."""
    compiled = _compiled(exported)
    key = tuple(x)
    found = compiled.scores.get(key)
    if found is None:
        found = compiled.function(to_float32_all(x))
        if len(compiled.scores) >= _SCORES_KEPT:
            compiled.scores.clear()
        compiled.scores[key] = found
    return found


def predict_proba_uncached(exported: dict[str, Any], x: list[float]) -> float:
    """The same value by the reference walk, nothing compiled or remembered (for tests and
    the benchmark's side-by-side)."""
    return _walk(exported, [to_float32(v) for v in x])
