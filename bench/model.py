"""Model speed benchmark: prints a table, is not a test.

    .venv/bin/python -m bench.model

For simulated users with 1,000 and 10,000 interactions over the demo catalog: suggest
(rank 500 candidates), one learn update, a full rebuild (replay + train the forest), the
training alone, and the compressed snapshot size; then rank + learn inside Pyodide under
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

from backend.catalog.demo import demo_catalog
from backend.training import train_ensemble
from shared_model import UserModel, encode, rank, training_examples

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


def main() -> None:
    tracks = demo_catalog()
    by_id = {t["id"]: t for t in tracks}
    candidates = (tracks * 2)[:500]
    rows, scenarios = [], []
    for n in (1_000, 10_000):
        interactions = _history(tracks, n + 10, seed=n)
        past, future = interactions[:n], interactions[n:]
        rebuild_s = _best(partial(_rebuild, past, by_id), repeat=1)
        model = _rebuild(past, by_id)
        examples = training_examples(past, by_id, SETTINGS)
        train_s = _best(partial(train_ensemble, examples), repeat=1)
        now = future[-1]["at"]
        rank_s = _best(partial(rank, model, candidates, SETTINGS, 30, now))
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
    print(f"{'interactions':>12} {'suggest 500':>12} {'learn 1':>9}")
    for (n, *_), res in zip(rows, results, strict=True):
        print(f"{n:>12,} {res['rank_s'] * 1e3:>12.1f} {res['learn_s'] * 1e3:>9.3f}")


if __name__ == "__main__":
    main()
