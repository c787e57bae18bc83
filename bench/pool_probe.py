"""Would a fresh pool give better picks? A counterfactual probe, not a policy.

    .venv/bin/python -m bench.pool_probe [--listeners N] [--plays N] [--seed S] [--jobs J]

Encore plays as in bench.recsys (the same listeners, luck and picks, so the same trajectory).
At every play the probe also ranks, with the device's model at that moment, what is left of
the session's pool (what Encore plays) and a fresh pool of POOL from the server's feed over
everything left (what the page would get if it asked again now), and reads the listener's
true finish probability of each top pick. The same state for both, so no diverging
trajectories: far less noise than comparing two full runs (docs/quality.md, v5). Prints the
mean over listeners, at every play and after 3 or more skips in a row, with the paired 95 %
interval of fresh minus old.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from shared_model.device import rank_feed

from . import recsys
from .listeners import KINDS, Listener, make
from .policies import POOL, EncorePolicy
from .report import interval, mean

STREAK = 3


class _Probe(EncorePolicy):
    def __init__(self, listener: Listener, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        self.listener = listener
        self.skips = 0
        self.rows: list[tuple[int, float, float, bool]] = []  # skips, p old, p fresh, same

    def choose(self, remaining: list[dict[str, Any]], now_ms: int) -> dict[str, Any]:
        pick = super().choose(remaining, now_ms)
        fresh = rank_feed(self.server, remaining, self.settings, POOL, now_ms)
        top = self._call("rank", {"candidates": fresh, "limit": 1, "now_ms": now_ms})[0]["id"]
        p = self.listener.finish_probability
        other = next(t for t in remaining if t["id"] == top)
        self.rows.append((self.skips, p(pick), p(other), top == pick["id"]))
        return pick

    def observe(self, track: dict[str, Any], interaction: dict[str, Any]) -> None:
        super().observe(track, interaction)
        self.skips = self.skips + 1 if interaction["type"] == "skipped" else 0


def probe_one(seed: int, index: int,
              plays: int) -> tuple[list[tuple[int, float, float, bool]], list[bool]]:
    """(skips in a row before, p old pick, p fresh pick, same track) per play, and which
    plays were finished (Encore's own, as bench.recsys runs it)."""
    catalog = recsys._catalog(seed)
    kind, with_picks = recsys.listener_spec(index, KINDS)
    listener = make(catalog, kind, seed, index, plays)
    policy = _Probe(listener, {"favorite_genres": listener.picks if with_picks else []})
    finished, _, _ = recsys.simulate(policy, listener, catalog.tracks, plays, f"l{index}")
    return policy.rows, finished


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--listeners", type=int, default=12)
    parser.add_argument("--plays", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        n = args.listeners
        runs = [rows for rows, _ in pool.map(probe_one, [args.seed] * n, range(n),
                                             [args.plays] * n)]
    print(f"Seed {args.seed}, {args.listeners} listeners x {args.plays} plays: Encore's top "
          f"pick from what is left of its pool (old) or from a fresh pool of {POOL} (fresh)")
    for name, keep in (("every play", lambda r: True),
                       (f"after {STREAK}+ skips in a row", lambda r: r[0] >= STREAK)):
        chosen = [[r for r in rows if keep(r)] for rows in runs]
        chosen = [rows for rows in chosen if rows]
        old = [mean([r[1] for r in rows]) for rows in chosen]
        fresh = [mean([r[2] for r in rows]) for rows in chosen]
        diff, half = interval([f - o for f, o in zip(fresh, old, strict=True)])
        same = mean([float(r[3]) for rows in chosen for r in rows])
        print(f"  {name:26s} plays {sum(map(len, chosen)):5d}  old {100 * mean(old):5.1f} %  "
              f"fresh {100 * mean(fresh):5.1f} %  fresh - old {100 * diff:+.1f} ± "
              f"{100 * half:.1f} pp  same track {100 * same:.0f} %")


if __name__ == "__main__":
    main()
