"""Online logistic regression, one update per interaction, deterministic to the bit.

Per-coordinate AdaGrad step sizes (features seen often settle, rare ones stay agile), a
small L2 pull towards zero, and a diagonal Laplace approximation of the posterior precision
that gives each track an uncertainty for exploration. All arithmetic is explicit loops of
+ - * / plus math.sqrt (exact by IEEE 754), so the same interactions in the same order give
the same weights on CPython 3.11 and Pyodide's 3.14.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .detmath import dot, sigmoid

ETA = 0.3  # base AdaGrad step
G0 = 1.0  # initial squared-gradient accumulator: first steps are ETA-sized, not huge
L2 = 1e-3
PRIOR_PRECISION = 1.0


@dataclass
class Learner:
    weights: list[float]
    grad2: list[float]  # AdaGrad accumulators
    precision: list[float]  # diagonal Laplace posterior precision
    updates: int = 0

    @classmethod
    def new(cls, n_features: int, prior: list[float] | None = None) -> Learner:
        weights = list(prior) if prior is not None else [0.0] * n_features
        if len(weights) != n_features:
            raise ValueError("prior length does not match the feature count")
        return cls(weights, [G0] * n_features, [PRIOR_PRECISION] * n_features)

    def logit(self, x: list[float]) -> float:
        return dot(self.weights, x)

    def predict(self, x: list[float]) -> float:
        return sigmoid(dot(self.weights, x))

    def uncertainty(self, x: list[float]) -> float:
        """Posterior standard deviation of the logit for x."""
        var = 0.0
        for xi, prec in zip(x, self.precision, strict=True):
            if xi != 0.0:
                var += xi * xi / prec
        return math.sqrt(var)

    def update(self, x: list[float], target: float, weight: float) -> None:
        if weight <= 0.0:
            return
        p = sigmoid(dot(self.weights, x))
        err = weight * (p - target)
        curvature = weight * p * (1.0 - p)
        w, g2, prec = self.weights, self.grad2, self.precision
        for i, xi in enumerate(x):
            if xi == 0.0:
                continue  # lazy: untouched coordinates keep their state
            g = err * xi + L2 * w[i]
            g2[i] += g * g
            w[i] -= ETA * g / math.sqrt(g2[i])
            prec[i] += curvature * xi * xi
        self.updates += 1

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
