"""Model speed benchmark: prints a table, is not a test.

    .venv/bin/python -m bench.model

For simulated users with 1,000 and 10,000 interactions over the demo catalog: suggest
(rank 500 candidates), one learn update, a full rebuild (replay + train the forest), the
training alone, and the compressed snapshot size; the forest over the same 500 rows next to
scikit-learn's own predict_proba; then rank, learn and a re-rank of 200 inside Pyodide under
Node (skipped when node or node_modules/pyodide is missing).
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from backend.catalog.demo import demo_catalog
from backend.training import export_forest, fit_ensemble, train_ensemble
from shared_model import UserModel, encode, forest, rank, training_examples, vectorize

ROOT = Path(__file__).resolve().parents[1]
SETTINGS: dict[str, Any] = {"favorite_genres": ["jazz"], "exploration": 0.3}
START = 1_700_000_000_000


def _history(tracks: list[dict[str, Any]], n: int, seed: int) -> list[dict[str, Any]]:
    """A listener who finishes mid/high-energy tracks in a tempo window, skips the rest."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        t = rng.choice(tracks)
        f = t["features"]
        likes = (0.45 <= f["energy"] <= 0.9 and 95 <= f["tempo"] <= 140) != (rng.random() < 0.1)
        out.append({"id": f"b{k:06d}", "track_id": t["id"],
                    "type": "finished" if likes else "skipped",
                    "position_ms": t["duration_ms"] if likes else rng.randrange(1000, 20000),
                    "duration_ms": t["duration_ms"], "at": START + k * 60_000})
    return out


def _best(fn: Callable[[], Any], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _rebuild(interactions: list[dict[str, Any]], by_id: dict[str, dict[str, Any]]) -> UserModel:
    model = UserModel.new(SETTINGS)
    model.learn_many(interactions, by_id, SETTINGS)
    examples = training_examples(interactions, by_id, SETTINGS)
    model.set_ensemble(train_ensemble(examples), len(examples))
    return model


def _forest_side_by_side(examples: list[Any], candidates: list[dict[str, Any]]
                         ) -> tuple[float, float, float, float]:
    """ms for P(finish) of the candidates from the same forest: scikit-learn's predict_proba
    (rows as a float64 array), ours on first sight (a new forest), ours remembered
    (the same forest again), and the plain tree walk. Checks they agree to 1e-12."""
    fitted = fit_ensemble(examples)
    exported = export_forest(fitted)
    rows = [vectorize(t) for t in candidates]
    array = np.array(rows, dtype=np.float64)
    sklearn_s = _best(partial(fitted.predict_proba, array))

    def ours(ensemble: dict[str, Any]) -> list[float]:
        return [forest.predict_proba(ensemble, x) for x in rows]

    cold_s = float("inf")
    for _ in range(3):  # a new forest object each time: nothing remembered
        fresh = json.loads(json.dumps(exported))
        t0 = time.perf_counter()
        ours(fresh)
        cold_s = min(cold_s, time.perf_counter() - t0)
    warm_s = _best(partial(ours, exported))
    walk_s = _best(lambda: [forest.predict_proba_uncached(exported, x) for x in rows])
    gap = np.max(np.abs(np.array(ours(exported)) - fitted.predict_proba(array)[:, 1]))
    assert gap <= 1e-12, gap
    return sklearn_s, cold_s, warm_s, walk_s


def main() -> None:
    tracks = demo_catalog()
    by_id = {t["id"]: t for t in tracks}
    candidates = (tracks * 2)[:500]
    rows, scenarios, side = [], [], []
    for n in (1_000, 10_000):
        interactions = _history(tracks, n + 10, seed=n)
        past, future = interactions[:n], interactions[n:]
        rebuild_s = _best(partial(_rebuild, past, by_id), repeat=1)
        model = _rebuild(past, by_id)
        examples = training_examples(past, by_id, SETTINGS)
        train_s = _best(partial(train_ensemble, examples), repeat=1)
        now = future[-1]["at"]
        fresh = UserModel.from_dict(json.loads(json.dumps(model.to_dict())))
        t0 = time.perf_counter()
        rank(fresh, candidates, SETTINGS, 30, now)  # a new forest: nothing remembered yet
        first_s = time.perf_counter() - t0
        rank_s = _best(partial(rank, model, candidates, SETTINGS, 30, now))
        side.append((n, first_s, rank_s, *_forest_side_by_side(examples, candidates)))
        learn_s = float("inf")
        for interaction in future[:3]:  # each on a fresh copy: one update, not a replay
            fresh = UserModel.from_dict(model.to_dict())
            track = by_id[interaction["track_id"]]
            learn_s = min(learn_s, _best(partial(fresh.learn, interaction, track, SETTINGS), 1))
        rows.append((n, rank_s, learn_s, rebuild_s, train_s, len(encode(model))))
        scenarios.append({"snapshot": model.to_dict(), "settings": SETTINGS,
                          "interactions": future, "tracks": tracks, "candidates": candidates,
                          "now": now, "limit": 30})

    print("CPython: times in ms (best of 3; rebuild and train once), size in KB")
    print(f"{'interactions':>12} {'suggest 500':>12} {'learn 1':>9} {'rebuild':>9} "
          f"{'train':>9} {'snapshot':>9}")
    for n, rank_s, learn_s, rebuild_s, train_s, size in rows:
        print(f"{n:>12,} {rank_s * 1e3:>12.1f} {learn_s * 1e3:>9.3f} {rebuild_s * 1e3:>9.0f} "
              f"{train_s * 1e3:>9.0f} {size / 1024:>9.1f}")

    print("\nThe same forest over the same 500 rows, ms (best of 3): scikit-learn's own\n"
          "predict_proba next to shared_model (new forest: first sight;\n"
          "same forest: results remembered; walk: the plain node-by-node reference), and\n"
          "suggest 500 (the whole ranking: forest, learner, reasons, artist spacing)")
    print(f"{'interactions':>12} {'sklearn':>8} {'new forest':>11} {'same forest':>12} "
          f"{'walk':>7} {'suggest, new forest':>20} {'suggest':>8}")
    for n, first_s, rank_s, sk, cold, warm, walk in side:
        print(f"{n:>12,} {sk * 1e3:>8.1f} {cold * 1e3:>11.1f} {warm * 1e3:>12.2f} "
              f"{walk * 1e3:>7.1f} {first_s * 1e3:>20.1f} {rank_s * 1e3:>8.1f}")

    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "pyodide").exists():
        print("\nPyodide: skipped (node or node_modules/pyodide missing)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scenarios.json"
        path.write_text(json.dumps(scenarios))
        t0 = time.perf_counter()
        done = subprocess.run([node, str(ROOT / "tests/pyodide/run_scenarios.mjs"), str(path),
                               "bench_all"], capture_output=True, text=True, check=True)
        wall = time.perf_counter() - t0
    results = json.loads(done.stdout)
    print(f"\nPyodide {results[0]['python']} under Node (whole run incl. start-up: {wall:.1f} s)")
    print(f"{'interactions':>12} {'first suggest':>14} {'suggest 500':>12} {'learn 1':>9} "
          f"{'re-rank 200 after a play':>25}")
    for (n, *_), res in zip(rows, results, strict=True):
        print(f"{n:>12,} {res['rank_first_s'] * 1e3:>14.1f} {res['rank_s'] * 1e3:>12.1f} "
              f"{res['learn_s'] * 1e3:>9.3f} {res['rerank200_s'] * 1e3:>25.1f}")


if __name__ == "__main__":
    main()
