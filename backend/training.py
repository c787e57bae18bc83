"""Train a user's tree ensemble with scikit-learn and export it for shared_model.forest.

Server only (numpy + scikit-learn). The exported dict is plain JSON that the pure-Python
evaluator in shared_model.forest reproduces to the bit (mean_proba) or to ~1e-15
(boosted_logit); it is kept small (few trees, bounded leaves) so it fits in the snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.ensemble import (
    ExtraTreesClassifier,
    GradientBoostingClassifier,
    RandomForestClassifier,
)

from shared_model import UserModel, training_examples
from shared_model.features import N_FEATURES
from shared_model.forest import FORMAT, FORMAT_VERSION

MIN_EXAMPLES = 20  # with retraining every 25 interactions, the first forest comes at 25
MIN_PER_CLASS = 5
N_TREES = 30
MAX_LEAF_NODES = 24
Example = tuple[Sequence[float], float, float]


def export_forest(model: Any) -> dict[str, Any]:
    """Export a fitted binary RandomForest/ExtraTrees/GradientBoosting classifier."""
    if isinstance(model, GradientBoostingClassifier):
        if model.n_classes_ != 2:
            raise ValueError("only binary classifiers are supported")
        init = float(model._raw_predict_init(np.zeros((1, model.n_features_in_)))[0, 0])
        trees = [_export_tree(est.tree_, None) for est in model.estimators_[:, 0]]
        return _wrap("boosted_logit", model.n_features_in_, trees, init, model.learning_rate)
    if isinstance(model, RandomForestClassifier | ExtraTreesClassifier):
        classes = list(model.classes_)
        if len(classes) != 2:
            raise ValueError("only binary classifiers are supported")
        trees = [_export_tree(est.tree_, 1) for est in model.estimators_]
        return _wrap("mean_proba", model.n_features_in_, trees, 0.0, 1.0)
    raise TypeError(f"cannot export {type(model).__name__}")


def _wrap(kind: str, n_features: int, trees: list[dict[str, list[Any]]],
          init: float, rate: float) -> dict[str, Any]:
    return {
        "format": FORMAT, "version": FORMAT_VERSION, "kind": kind,
        "n_features": int(n_features), "init": init, "learning_rate": float(rate),
        "trees": trees,
    }


def _export_tree(tree: Any, positive: int | None) -> dict[str, list[Any]]:
    left = tree.children_left
    is_leaf = left < 0
    if positive is None:  # regression tree: the leaf value itself
        value = tree.value[:, 0, 0]
    else:  # as DecisionTreeClassifier.predict_proba: normalise the class weights per node
        counts = tree.value[:, 0, :]
        total = counts.sum(axis=1)
        total[total == 0.0] = 1.0
        value = counts[:, positive] / total
    # Internal nodes need no value and leaves no split: zeros keep the JSON short.
    return {
        "feature": np.where(is_leaf, -1, tree.feature).astype(int).tolist(),
        "threshold": np.where(is_leaf, 0.0, tree.threshold).tolist(),
        "left": left.astype(int).tolist(),
        "right": tree.children_right.astype(int).tolist(),
        "value": np.where(is_leaf, value, 0.0).tolist(),
    }


def train_ensemble(examples: Sequence[Example], kind: str = "random_forest",
                   seed: int = 0) -> dict[str, Any] | None:
    """Fit an ensemble on (vector, target, weight) examples and export it; None if there is
    too little data.

    kind: "random_forest" (default: in a quick simulated-listener check it matched
    gradient boosting on quality, trains faster and evaluates bit-identically), "extra_trees"
    or "gradient_boosting".
    """
    model = fit_ensemble(examples, kind, seed)
    return None if model is None else export_forest(model)


def fit_ensemble(examples: Sequence[Example], kind: str = "random_forest",
                 seed: int = 0) -> Any | None:
    """The fitted scikit-learn estimator that train_ensemble exports (or None)."""
    usable = [(x, t, w) for x, t, w in examples if w > 0.0]
    if len(usable) < MIN_EXAMPLES:
        return None
    X = np.array([x for x, _, _ in usable], dtype=np.float64)
    y = np.array([1 if t >= 0.5 else 0 for _, t, _ in usable], dtype=np.int64)
    w = np.array([wt for _, _, wt in usable], dtype=np.float64)
    positives = int(y.sum())
    if min(positives, len(y) - positives) < MIN_PER_CLASS:
        return None
    if X.shape[1] != N_FEATURES:
        raise ValueError("examples do not match shared_model's feature vector")
    model: Any
    if kind == "extra_trees":
        model = ExtraTreesClassifier(n_estimators=N_TREES, max_leaf_nodes=MAX_LEAF_NODES,
                                     min_samples_leaf=3, random_state=seed, n_jobs=1)
    elif kind == "random_forest":
        model = RandomForestClassifier(n_estimators=N_TREES, max_leaf_nodes=MAX_LEAF_NODES,
                                       min_samples_leaf=3, random_state=seed, n_jobs=1)
    elif kind == "gradient_boosting":
        model = GradientBoostingClassifier(n_estimators=N_TREES, max_leaf_nodes=8,
                                           learning_rate=0.1, subsample=0.8,
                                           random_state=seed)
    else:
        raise ValueError(f"unknown ensemble kind {kind!r}")
    model.fit(X, y, sample_weight=w)
    return model


def rebuild_model(interactions: Sequence[dict[str, Any]],
                  tracks_by_id: dict[str, dict[str, Any]],
                  settings: dict[str, Any] | None,
                  corrections: Sequence[dict[str, Any]] = ()) -> UserModel:
    """A user's model from scratch: replay every interaction in (at, id) order, then train
    the ensemble on the same history (left out when there is too little data); the
    listener's corrections (shared_model/taste.py) leave out what they forget."""
    model = UserModel.new(settings, corrections)
    model.learn_many(interactions, tracks_by_id, settings)
    examples = training_examples(interactions, tracks_by_id, settings, corrections)
    model.set_ensemble(train_ensemble(examples), len(examples))
    return model
