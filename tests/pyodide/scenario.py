"""Runs a model scenario; the same file runs in CPython (pytest) and in Pyodide (Node).

A scenario: {"snapshot": dict | None, "settings": dict, "interactions": [...],
"tracks": [...], "candidates": [...], "now": int, "limit": int, "probes": [float],
"corrections": [...]} (corrections optional: shared_model/taste.py).
Floats are reported with float.hex() so a comparison is bit-for-bit.
"""

from __future__ import annotations

import hashlib
import json
import sys
from typing import Any

from shared_model import UserModel, rank
from shared_model.detmath import exp, sigmoid


def run(scenario: dict[str, Any]) -> dict[str, Any]:
    settings = scenario["settings"]
    snapshot = scenario.get("snapshot")
    model = UserModel.from_dict(snapshot) if snapshot else UserModel.new(settings)
    for correction in scenario.get("corrections", []):  # the listener's, made on the device
        model.correct(correction, settings)
    by_id = {t["id"]: t for t in scenario["tracks"]}
    model.learn_many(scenario["interactions"], by_id, settings)
    ranked = rank(model, scenario["candidates"], settings, scenario["limit"], scenario["now"])
    state = json.dumps(model.to_dict(), sort_keys=True, separators=(",", ":"))
    return {
        "python": sys.version.split()[0],
        "weights": [w.hex() for w in model.learner.weights],
        "grad2": [g.hex() for g in model.learner.grad2],
        "precision": [p.hex() for p in model.learner.precision],
        "ranked": [t["id"] for t in ranked],
        "scores": [float(t["score"]).hex() for t in ranked],
        "reasons": [t["reason"] for t in ranked],
        "uncertainty": [model.score(t)[1].hex() for t in scenario["candidates"][:50]],
        "snapshot_sha256": hashlib.sha256(state.encode()).hexdigest(),
        "math": [[exp(z).hex(), sigmoid(z).hex()] for z in scenario.get("probes", [])],
        "has_ensemble": model.ensemble is not None,
    }


def run_all(scenarios_json: str) -> str:
    return json.dumps([run(s) for s in json.loads(scenarios_json)])


def bench(scenario: dict[str, Any], repeat: int = 3) -> dict[str, Any]:
    """Seconds: the first rank() after loading the snapshot (nothing remembered yet),
    best-of-`repeat` rank() over the candidates, one learn(), and a re-rank of the first 200
    candidates after each learn() (the page after a play)."""
    import time

    settings = scenario["settings"]
    model = UserModel.from_dict(scenario["snapshot"])
    by_id = {t["id"]: t for t in scenario["tracks"]}
    limit, now = scenario["limit"], scenario["now"]
    t0 = time.perf_counter()
    rank(model, scenario["candidates"], settings, limit, now)
    first_s = time.perf_counter() - t0
    rank_s = learn_s = rerank_s = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        rank(model, scenario["candidates"], settings, limit, now)
        rank_s = min(rank_s, time.perf_counter() - t0)
    pool = scenario["candidates"][:200]
    for interaction in scenario["interactions"][:repeat]:
        t0 = time.perf_counter()
        model.learn(interaction, by_id.get(interaction["track_id"]), settings)
        learn_s = min(learn_s, time.perf_counter() - t0)
        t0 = time.perf_counter()
        rank(model, pool, settings, limit, now)
        rerank_s = min(rerank_s, time.perf_counter() - t0)
    return {"python": sys.version.split()[0], "rank_first_s": first_s, "rank_s": rank_s,
            "learn_s": learn_s, "rerank200_s": rerank_s}


def bench_all(scenarios_json: str) -> str:
    return json.dumps([bench(s) for s in json.loads(scenarios_json)])
