"""Which part of Encore's score puts a worse track above the pool's best? A counterfactual
probe, not a policy.

    .venv/bin/python -m bench.score_probe [--listeners N] [--plays N] [--seed S] [--jobs J]

Encore plays as in bench.recsys (the same listeners, luck and picks, so the same plays). At
every pick the probe takes the candidates the device ranks (what is left of the session's
pool, after ranking's filters) and orders them by each part of the score alone (the forest,
the learner, their blend, the item-to-item memory, the exploration bonus, the onboarding and
popularity prior), by the whole score before artist spacing, by the whole score without
one part, and by a feature ceiling (a ridge regression of the listener's true logit onto
Encore's 84 features, fitted on everything left of the catalog and cross-fitted as
diag-feat-linear: what a perfect learner over the features would rank), by other linear
learners over the lessons Encore's learner got (the same labels, weights, features and
onboarding prior: batch MAP logistic regressions fitted by Newton's method at four prior
strengths, the full-covariance Kalman filter in one pass, and a batch fit on the played
tracks' true p instead of their finish-or-skip: what the listener's own evidence allows a
linear model, what an online learner could reach, and what the coin costs), and reads the
listener's true finish probability: the probability of each order's
top track, the rank it gives the candidate with the highest probability (1 = first), and its
rank correlation with the true probabilities over the candidates. Same state for every
order, so no diverging trajectories; but also no account of what a pick teaches (a part that
picks worse may teach more). Prints them per listener kind from play 101 (or from the second
half of the run) and for plays 1-50.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
from scipy.stats import spearmanr

from shared_model import ranking, training_examples, vectorize
from shared_model.model import _fresh_learner

from . import recsys
from .diagnostics import FOLDS, RIDGE, _logit
from .listeners import KINDS, Listener, make
from .policies import EncorePolicy
from .report import mean

Track = dict[str, Any]
Parts = dict[str, float]
# An order: a score per candidate from its parts (higher first; ties by track id as ranking).
ORDERS: dict[str, Callable[[Parts], float]] = {
    "the whole score (before spacing)": lambda s: s["total"],
    "blend (learner + forest)": lambda s: s["blend"],
    "forest alone": lambda s: s["forest"],
    "learner alone": lambda s: s["learner"],
    "memory alone": lambda s: s["memory"],
    "exploration alone (uncertainty + jitter)": lambda s: s["explore"],
    "uncertainty alone": lambda s: s["uncertainty"],
    "onboarding/popularity prior alone": lambda s: s["prior"],
    "whole - exploration": lambda s: s["total"] - s["explore"],
    "whole - memory": lambda s: s["total"] - s["memory"],
    "whole - prior": lambda s: s["total"] - s["prior"],
    "whole, forest in place of the blend": lambda s: s["total"] - s["blend"] + s["forest"],
    "whole, learner in place of the blend": lambda s: s["total"] - s["blend"] + s["learner"],
}
# Other linear learners over the same lessons (labels, weights, features) and the same prior
# as Encore's learner, each ranking the candidates by its logit: what the listener's own
# evidence allows a linear model, against what Encore's one-pass diagonal filter makes of it.
MAP_SCALES = (1.0, 0.3, 3.0, 10.0)  # the prior's precision x this (1: Encore's own prior)
LEARNERS = {
    **{f"batch MAP logistic, prior precision x{c:g}": f"map{c:g}" for c in MAP_SCALES},
    "full-covariance Kalman (one pass)": "full",
    "batch MAP on the plays' true p (no coin)": "soft",
}
for _name, _key in list(LEARNERS.items()):
    ORDERS[_name] = lambda s, key=_key: s[key]
# ... and in the learner's place in the whole score (the same blend weight, prior, memory,
# exploration): what the change would do to one pick.
for _name, _key in (("batch MAP x1", "map1"), ("full Kalman", "full")):
    ORDERS[f"whole, {_name} in the learner's place"] = (
        lambda s, key=_key: s["total"] + s["share"] * (_sigmoid(s[key]) - s["learner"]))
CEILING = "feature ceiling (ridge on the true logit)"
PLAYED = "Encore's pick (after artist spacing)"
BEST = "the pool's best (true p)"


def parts(model: Any, candidates: list[Track], settings: dict[str, Any],
          now_ms: int) -> list[tuple[Track, Parts]]:
    """Each candidate ranking keeps, with its score's parts as ranking.rank adds them."""
    out = []
    for s in ranking._score_all(model, candidates, settings, now_ms):
        ev = s.ev
        prior = ranking._cold(model) * (
            (ranking.FAVORITE_BONUS if s.favorite is not None else 0.0)
            + ranking.POPULARITY_BONUS * s.popularity)
        memory = s.total - ev.score - prior - s.explore  # MEMORY_GAIN x the memory
        out.append((s.track, {
            "total": s.total, "blend": ev.score, "learner": ev.linear,
            "forest": ev.ensemble if ev.ensemble is not None else ev.linear,
            "memory": memory, "explore": s.explore, "uncertainty": ev.uncertainty,
            "prior": prior}))
    return out


def _sigmoid(z: float) -> float:
    return float(1.0 / (1.0 + np.exp(-z)))


def map_fit(X: np.ndarray, y: np.ndarray, weight: np.ndarray, mean0: np.ndarray,
            precision0: np.ndarray, start: np.ndarray) -> np.ndarray:
    """The posterior mode of a logistic regression: labels y (in [0, 1]) with weights,
    a Gaussian prior (mean0, diagonal precision0); Newton's method (IRLS) from `start`,
    each step halved until the objective falls, to convergence."""
    def objective(beta: np.ndarray) -> float:
        z = X @ beta
        loss = weight * (np.logaddexp(0.0, z) - y * z)
        d = beta - mean0
        return float(loss.sum() + 0.5 * d @ (precision0 * d))

    beta, value = start.copy(), objective(start)
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(X @ beta)))
        grad = X.T @ (weight * (p - y)) + precision0 * (beta - mean0)
        hessian = (X.T * (weight * p * (1.0 - p))) @ X + np.diag(precision0)
        step = np.linalg.solve(hessian, grad)
        size = 1.0
        while True:
            candidate = beta - size * step
            new = objective(candidate)
            if new <= value or size < 1e-6:
                break
            size /= 2.0
        beta, value = candidate, new
        if np.max(np.abs(size * step)) < 1e-10:
            break
    return beta


class FullKalman:
    """Encore's learner's step (learner.Learner.update) with the whole covariance: the
    logit's variance is x'Sx and the step and the shrinkage go along Sx, so correlated
    features share one step instead of each taking its own."""

    def __init__(self, mean0: np.ndarray, precision0: np.ndarray) -> None:
        self.mean = mean0.copy()
        self.cov = np.diag(1.0 / precision0)

    def update(self, x: np.ndarray, target: float, weight: float) -> None:
        sx = self.cov @ x
        s2 = float(x @ sx)
        p = _sigmoid(float(self.mean @ x))
        g, h = weight * (target - p), weight * p * (1.0 - p)
        k = 1.0 / (1.0 + s2 * h)
        self.mean += sx * g * k
        self.cov -= np.outer(sx, sx) * (h * k)


def _rank_of(order: list[Track], track: Track) -> int:
    return next(i for i, t in enumerate(order) if t is track) + 1


class _Probe(EncorePolicy):
    def __init__(self, listener: Listener, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        self.listener = listener
        self.rows: list[dict[str, tuple[float, int, float]]] = []  # per play: order -> figures
        self.vectors: dict[str, list[float]] = {}
        fresh = _fresh_learner(self.settings)  # the prior Encore's learner starts from
        self.mean0 = np.array(fresh.weights)
        self.precision0 = np.array(fresh.precision)
        self.full = FullKalman(self.mean0, self.precision0)
        self.taught = 0  # lessons the full Kalman has taken
        self.fits = {key: self.mean0.copy() for key in LEARNERS.values()}  # warm starts
        self.true_p: dict[str, float] = {}  # each played track's p when it was played

    def _learners(self, candidates: list[Track]) -> dict[str, list[float]]:
        """Each other learner's logit of each candidate, from the lessons so far."""
        lessons = training_examples(self.history, self.tracks, self.settings)
        for x, target, weight in lessons[self.taught:]:
            self.full.update(np.array(x), target, weight)
        self.taught = len(lessons)
        soft = [self.true_p[i["track_id"]] for i in self.history]  # every play is a lesson
        X = np.array([x for x, _, _ in lessons]).reshape(len(lessons), len(self.mean0))
        y = np.array([target for _, target, _ in lessons])
        weight = np.array([w for _, _, w in lessons])
        betas = {"full": self.full.mean}
        for c in MAP_SCALES:
            key = f"map{c:g}"
            betas[key] = self.fits[key] = map_fit(X, y, weight, self.mean0,
                                                  c * self.precision0, self.fits[key])
        betas["soft"] = self.fits["soft"] = map_fit(X, np.array(soft), weight, self.mean0,
                                                    self.precision0, self.fits["soft"])
        C = np.array([vectorize(t) for t in candidates])
        return {key: list(C @ beta) for key, beta in betas.items()}

    def _ceiling(self, remaining: list[Track], candidates: list[Track]) -> list[float]:
        """The cross-fitted ridge's value of each candidate (bench.diagnostics, linear)."""
        for t in remaining:
            if t["id"] not in self.vectors:
                self.vectors[t["id"]] = vectorize(t)
        p = self.listener.finish_probability
        X = np.array([self.vectors[t["id"]] for t in remaining])
        y = np.array([_logit(p(t)) for t in remaining])
        fold = np.arange(len(remaining)) % FOLDS
        predicted = np.zeros(len(remaining))
        for f in range(FOLDS):
            train, test = fold != f, fold == f
            A = X[train]
            w = np.linalg.solve(A.T @ A + RIDGE * np.eye(A.shape[1]), A.T @ y[train])
            predicted[test] = X[test] @ w
        value = {t["id"]: float(v) for t, v in zip(remaining, predicted, strict=True)}
        return [value[t["id"]] for t in candidates]

    def choose(self, remaining: list[Track], now_ms: int) -> Track:
        pick = super().choose(remaining, now_ms)
        candidates = [t for t in self.pool if t["id"] not in self.done]
        scored = parts(self.device.model, candidates, self.device.settings, now_ms)
        share = 1.0 - self.device.model.ensemble_weight()  # the learner's share of the blend
        for key, logits in self._learners([t for t, _ in scored]).items():
            for (_, s), logit in zip(scored, logits, strict=True):
                s[key], s["share"] = logit, share
        p = self.listener.finish_probability
        truth = {t["id"]: p(t) for t, _ in scored}
        best = min((t for t, _ in scored), key=lambda t: (-truth[t["id"]], t["id"]))
        true = [truth[t["id"]] for t, _ in scored]
        row = {}
        ceiling = self._ceiling(remaining, [t for t, _ in scored])
        for name, score in [*ORDERS.items(), (CEILING, None)]:
            values = ([score(s) for _, s in scored] if score is not None else ceiling)
            order = [t for _, t in sorted(zip(values, (t for t, _ in scored), strict=True),
                                          key=lambda vt: (-vt[0], vt[1]["id"]))]
            rho = spearmanr(values, true).statistic if len(set(values)) > 1 else 0.0
            row[name] = (truth[order[0]["id"]], _rank_of(order, best), float(rho))
        row[PLAYED] = (p(pick), 0, 0.0)
        self.true_p[pick["id"]] = p(pick)
        row[BEST] = (truth[best["id"]], 1, 1.0)
        self.rows.append(row)
        return pick


def probe_one(seed: int, index: int, plays: int) -> dict[str, Any]:
    catalog = recsys._catalog(seed)
    kind, with_picks = recsys.listener_spec(index, KINDS)
    listener = make(catalog, kind, seed, index, plays)
    policy = _Probe(listener, {"favorite_genres": listener.picks if with_picks else []})
    finished, _, _ = recsys.simulate(policy, listener, catalog.tracks, plays, f"l{index}")
    return {"kind": kind, "picks": with_picks, "rows": policy.rows, "finished": finished}


def _table(runs: list[dict[str, Any]], start: int, end: int, groups: list[str]) -> None:
    def members(group: str) -> list[dict[str, Any]]:
        if group == "all":
            return runs
        if group in ("with picks", "without picks"):
            return [r for r in runs if r["picks"] == (group == "with picks")]
        return [r for r in runs if r["kind"] == group]

    present = [g for g in groups if members(g)]
    print(f"plays {start + 1}-{end}: true p of the top pick (mean over plays, then listeners) "
          "/ rank of the pool's best / rank correlation with the true p")
    print(f"{'order':48s}" + "".join(f"{g[:17] + f' ({len(members(g))})':>24s}"
                                      for g in present))
    for name in (BEST, PLAYED, *ORDERS, CEILING):
        cells = []
        for group in present:
            per = [[r["rows"][k][name] for k in range(start, min(end, len(r["rows"])))]
                   for r in members(group)]
            p = mean([mean([v[0] for v in rows]) for rows in per])
            if name in (BEST, PLAYED):
                cells.append(f"{p:.2f}")
            else:
                rank = mean([mean([float(v[1]) for v in rows]) for rows in per])
                rho = mean([mean([v[2] for v in rows]) for rows in per])
                cells.append(f"{p:.2f} / {rank:5.1f} / {rho:+.2f}")
        print(f"{name:48s}" + "".join(f"{c:>24s}" for c in cells))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--listeners", type=int, default=12)
    parser.add_argument("--plays", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    n = args.listeners
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        runs = list(pool.map(probe_one, [args.seed] * n, range(n), [args.plays] * n))
    start = 100 if args.plays > 100 else args.plays // 2
    print(f"Seed {args.seed}, {n} listeners x {args.plays} plays; Encore's completion from "
          f"play {start + 1}: {100 * mean([mean(r['finished'][start:]) for r in runs]):.1f} %")
    groups = [*KINDS, "with picks", "without picks", "all"]
    _table(runs, start, args.plays, groups)
    print()
    _table(runs, 0, min(50, args.plays), ["with picks", "without picks", "all"])


if __name__ == "__main__":
    main()
