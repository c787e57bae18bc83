"""Diagnostic policies for bench/recsys.py: where Encore's gap to the oracle comes from.

Not competitors: each knows the listener's true finish probabilities (as the oracle does)
and is handicapped in one way only, so the difference between two of them measures one
part of the gap (docs/quality.md, "Where the gap is"):

  diag-pool-oracle   the oracle, restricted to the pool Encore's server hands the device
                     (a pool of 200 ranked by shared_model.device.rank_feed at each session
                     start from a model that learns every play and gets the scikit-learn
                     forest every 25, as in EncorePolicy); oracle - this = the pool's cost,
                     this - encore = the cost of ranking within the pool
  diag-feat-linear   knows p(track) right now for every track, but plays by a ridge
                     regression of logit(p) onto Encore's 84 features (cross-fitted: each
                     track's value comes from a fit that did not see it), refit every play:
                     the best a linear learner over the features could do with unlimited data
  diag-feat-forest   the same with a random-forest regressor (cross-fitted, refit every
                     FOREST_EVERY plays and at each session start): the best a non-linear
                     feature learner could do, oracle-z - this = what the features cannot tell
"""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
from sklearn.ensemble import RandomForestRegressor

from backend.training import train_ensemble
from shared_model import DEFAULT_SETTINGS, UserModel, training_examples, vectorize
from shared_model.device import rank_feed

from .listeners import CEIL, FLOOR, Listener
from .policies import POOL, TRAIN_EVERY

Track = dict[str, Any]
FOLDS = 4
RIDGE = 1.0
FOREST_EVERY = 10
FOREST_TREES = 30


class PoolOraclePolicy:
    """The oracle's pick among what is left of Encore's server-side pool."""

    def __init__(self, listener: Listener, settings: dict[str, Any] | None = None) -> None:
        self.listener = listener
        self.settings = {**DEFAULT_SETTINGS, **(settings or {})}
        self.server = UserModel.new(self.settings)
        self.history: list[dict[str, Any]] = []
        self.tracks: dict[str, Track] = {}
        self.pool: list[Track] = []
        self.done: set[str] = set()

    def session_start(self) -> None:
        self.pool = []

    def choose(self, remaining: list[Track], now_ms: int) -> Track:
        candidates = [t for t in self.pool if t["id"] not in self.done]
        if not candidates:  # session start, or the pool ran out
            ranked = rank_feed(self.server, remaining, self.settings, POOL, now_ms)
            ids = {t["id"] for t in ranked}
            self.pool = [t for t in remaining if t["id"] in ids]
            self.done = set()
            candidates = self.pool
        p = self.listener.finish_probability
        return min(candidates, key=lambda t: (-p(t), t["id"]))

    def observe(self, track: Track, interaction: dict[str, Any]) -> None:
        self.done.add(track["id"])
        self.tracks[track["id"]] = track
        self.history.append(interaction)
        self.server.learn(interaction, track, self.settings)
        if len(self.history) % TRAIN_EVERY == 0:
            examples = training_examples(self.history, self.tracks, self.settings)
            self.server.set_ensemble(train_ensemble(examples), len(examples))


def _logit(p: float) -> float:
    q = (p - FLOOR) / (CEIL - FLOOR)
    q = min(1.0 - 1e-4, max(1e-4, q))
    return math.log(q / (1.0 - q))


class FeatureOraclePolicy:
    """Plays the best track by a cross-fitted regression of the true taste on the features."""

    def __init__(self, listener: Listener, rng: random.Random, kind: str) -> None:
        self.listener = listener
        self.rng = rng
        self.kind = kind  # "linear" or "forest"
        self.vectors: dict[str, np.ndarray] = {}
        self.values: dict[str, float] = {}
        self.age = 0

    def session_start(self) -> None:
        self.age = 0

    def _fit(self, remaining: list[Track]) -> None:
        for t in remaining:
            if t["id"] not in self.vectors:
                self.vectors[t["id"]] = np.array(vectorize(t))
        X = np.array([self.vectors[t["id"]] for t in remaining])
        y = np.array([_logit(self.listener.finish_probability(t)) for t in remaining])
        fold = np.arange(len(remaining)) % FOLDS
        predicted = np.zeros(len(remaining))
        for f in range(FOLDS):
            train, test = fold != f, fold == f
            if self.kind == "linear":
                A = X[train]
                w = np.linalg.solve(A.T @ A + RIDGE * np.eye(A.shape[1]), A.T @ y[train])
                predicted[test] = X[test] @ w
            else:
                forest = RandomForestRegressor(n_estimators=FOREST_TREES, min_samples_leaf=3,
                                               max_features=0.33, n_jobs=1,
                                               random_state=self.rng.randrange(2**31))
                forest.fit(X[train], y[train])
                predicted[test] = forest.predict(X[test])
        self.values = {t["id"]: float(v) for t, v in zip(remaining, predicted, strict=True)}

    def choose(self, remaining: list[Track], now_ms: int) -> Track:
        every = 1 if self.kind == "linear" else FOREST_EVERY
        if self.age % every == 0:
            self._fit(remaining)
        self.age += 1
        return min(remaining, key=lambda t: (-self.values[t["id"]], t["id"]))

    def observe(self, track: Track, interaction: dict[str, Any]) -> None:
        pass
