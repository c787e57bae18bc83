"""Online Bayesian logistic regression, one update per interaction, deterministic to the bit.

Each weight has a Gaussian posterior (mean `weights`, diagonal `precision`); an interaction
is one step of an extended Kalman filter: the logit of the track moves by
s2 * g / (1 + s2 * h) (s2 its variance, g and h the label's gradient and curvature), shared
among the active features in proportion to their variances, and each active precision grows
by what the label taught. So the first plays move the model a lot and the steps shrink as
evidence comes in, feature by feature; and the uncertainty (the exploration bonus) fades with
evidence, not with time. All arithmetic is explicit loops of + - * / plus math.sqrt (exact by
IEEE 754), so the same interactions in the same order give the same weights on CPython 3.11
and Pyodide's 3.14. (Until snapshot 1.2 the step was AdaGrad's; `grad2` is kept in the
snapshot's layout, unused.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .detmath import dot, sigmoid

G0 = 1.0  # the unused AdaGrad accumulators' value (snapshot layout)
PRIOR_PRECISION = 1.0


@dataclass
class Learner:
    weights: list[float]
    grad2: list[float]  # unused since the Kalman step (kept in the snapshot's layout)
    precision: list[float]  # diagonal posterior precision
    updates: int = 0

    @classmethod
    def new(cls, n_features: int, prior: list[float] | None = None,
            precision: float = PRIOR_PRECISION) -> Learner:
        """A learner that knows nothing yet: weights at `prior` (zeros by default), each
        with prior precision `precision` (so variance 1 / precision)."""
        weights = list(prior) if prior is not None else [0.0] * n_features
        if len(weights) != n_features:
            raise ValueError("prior length does not match the feature count")
        return cls(weights, [G0] * n_features, [precision] * n_features)

    def logit(self, x: list[float]) -> float:
        return dot(self.weights, x)

    def predict(self, x: list[float]) -> float:
        return sigmoid(dot(self.weights, x))

    def logit_variances(self, xs: list[list[float]],
                        actives: list[tuple[int, ...]]) -> list[tuple[float, float]]:
        """(logit(x), uncertainty(x) ** 2) of each vector in one pass over its non-zero entries,
        `active` (in order): the same bits as the two, since a zero entry adds a zero to either
        sum (the weights are finite) and the order of the others is the same. Ranking's hot
        path: one call for all candidates."""
        w, prec = self.weights, self.precision
        out = []
        for x, active in zip(xs, actives, strict=True):
            m = var = 0.0
            for i in active:
                xi = x[i]
                m += w[i] * xi
                var += xi * xi / prec[i]
            out.append((m, var))
        return out

    def uncertainty(self, x: list[float]) -> float:
        """Posterior standard deviation of the logit for x."""
        var = 0.0
        for xi, prec in zip(x, self.precision, strict=True):
            if xi != 0.0:
                var += xi * xi / prec
        return math.sqrt(var)

    def update(self, x: list[float], target: float, weight: float,
               active: Sequence[int] | None = None) -> float:
        """One step towards `target` (no step when `weight` <= 0); returns the prediction for x
        before the step (how much the label surprised). `active`: x's non-zero entries in
        order (features.active), the only coordinates a step reads or moves; walking them
        instead of all of x gives the same bits, since a zero entry adds a zero to each sum
        (the weights are finite) and the order of the others is the same."""
        if active is None:
            active = [i for i, xi in enumerate(x) if xi != 0.0]
        w, prec = self.weights, self.precision
        m = s2 = 0.0
        for i in active:  # untouched coordinates keep their state
            xi = x[i]
            m += w[i] * xi
            s2 += xi * xi / prec[i]
        p = sigmoid(m)
        if weight <= 0.0:
            return p
        g = weight * (target - p)
        h = weight * p * (1.0 - p)
        k = 1.0 / (1.0 + s2 * h)
        for i in active:
            xi = x[i]
            var = 1.0 / prec[i]
            w[i] += var * xi * g * k
            prec[i] = 1.0 / (var - var * var * xi * xi * h * k)
        self.updates += 1
        return p

    def to_dict(self) -> dict[str, Any]:
        return {
            "weights": list(self.weights),
            "grad2": list(self.grad2),
            "precision": list(self.precision),
            "updates": self.updates,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], n_features: int) -> Learner:
        lists = [[float(v) for v in d[key]] for key in ("weights", "grad2", "precision")]
        if any(len(values) != n_features for values in lists):
            raise ValueError("learner state does not match the feature count")
        return cls(lists[0], lists[1], lists[2], int(d.get("updates", 0)))
