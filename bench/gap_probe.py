"""Which half of Encore's gap to the oracle is the pool's, and which the ranking's, on
Encore's own trajectory? A counterfactual probe, not a policy.

    .venv/bin/python -m bench.gap_probe [--listeners N] [--plays N] [--seed S] [--jobs J]

Encore plays as in bench.recsys (the same listeners, luck and picks, so the same plays). At
every session start the probe keeps a copy of the listener as it is then, and replays the
session twice with it: an oracle playing the best true finish probability among everything
left of the catalog (the session oracle), and one confined to the pool of POOL the server's
feed handed Encore's device for that session (the pool oracle). Both start from Encore's own
state, so `session oracle - pool oracle` is what the pool costs, `pool oracle - Encore` what
ranking within it costs (diag-pool-oracle in bench.recsys runs a whole trajectory of its own
instead, whose server learns from the oracle's plays). Each replay meets the listener's own
draws at play k, as every policy does. Prints, per listener kind and for listeners with and
without onboarding picks, the completion from play 101 (or the second half of the run).
"""

from __future__ import annotations

import argparse
import copy
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from . import recsys
from .listeners import KINDS, SESSION_PLAYS, Listener, make
from .policies import EncorePolicy
from .report import mean

Track = dict[str, Any]


def _copy(listener: Listener) -> Listener:
    """The listener as it is now (its play count and recent plays); taste and draws shared."""
    twin = copy.copy(listener)
    twin.recent = list(listener.recent)
    return twin


def replay(listener: Listener, tracks: Iterable[Track], plays: int) -> list[bool]:
    """`plays` plays of the best true finish probability among `tracks`, from `listener`'s
    state (a copy moves on); finished or not with the listener's own draws."""
    twin, left = _copy(listener), list(tracks)
    finished = []
    for _ in range(min(plays, len(left))):
        p = twin.finish_probability
        best = min(left, key=lambda t: (-p(t), t["id"]))
        finished.append(twin.u[twin.plays] < p(best))
        twin.note(best)
        left.remove(best)
    return finished


class _Probe(EncorePolicy):
    def __init__(self, listener: Listener, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        self.listener = listener
        self.sessions: list[tuple[int, Listener, list[Track], list[Track]]] = []

    def _open_app(self, remaining: list[Track], now_ms: int) -> None:
        super()._open_app(remaining, now_ms)
        self.sessions.append((self.listener.plays, _copy(self.listener), list(self.pool),
                              list(remaining)))


def probe_one(seed: int, index: int, plays: int) -> dict[str, Any]:
    """Encore's finishes, and per session start (play index) the two oracles' replays."""
    catalog = recsys._catalog(seed)
    kind, with_picks = recsys.listener_spec(index, KINDS)
    listener = make(catalog, kind, seed, index, plays)
    policy = _Probe(listener, {"favorite_genres": listener.picks if with_picks else []})
    finished, _, _ = recsys.simulate(policy, listener, catalog.tracks, plays, f"l{index}")
    sessions = {}
    for start, state, pool, remaining in policy.sessions:
        length = min(SESSION_PLAYS - start % SESSION_PLAYS, plays - start)
        sessions[start] = (replay(state, remaining, length), replay(state, pool, length))
    return {"kind": kind, "picks": with_picks, "encore": finished, "sessions": sessions}


def _from(run: dict[str, Any], start: int) -> tuple[float, float, float]:
    """(session oracle, pool oracle, Encore) completion over the plays from `start` on."""
    oracle = [ok for at, (o, _) in run["sessions"].items() if at >= start for ok in o]
    pooled = [ok for at, (_, q) in run["sessions"].items() if at >= start for ok in q]
    return mean(oracle), mean(pooled), mean(run["encore"][start:])


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
    start = SESSION_PLAYS * (args.plays // SESSION_PLAYS // 2)
    print(f"Seed {args.seed}, {n} listeners x {args.plays} plays, from play {start + 1}: "
          f"completion % on Encore's own state at each session start")
    print(f"{'listeners':22s} {'session oracle':>15s} {'pool oracle':>12s} {'encore':>7s} "
          f"{'pool / oracle':>14s} {'encore / pool':>14s}")
    groups = [(kind, [r for r in runs if r["kind"] == kind]) for kind in KINDS]
    groups += [("with picks", [r for r in runs if r["picks"]]),
               ("without picks", [r for r in runs if not r["picks"]]), ("all", runs)]
    for name, group in groups:
        if not group:
            continue
        oracle, pooled, encore = (mean(v) for v in zip(*(_from(r, start) for r in group),
                                                     strict=True))
        print(f"{name + f' ({len(group)})':22s} {100 * oracle:15.1f} {100 * pooled:12.1f} "
              f"{100 * encore:7.1f} {pooled / max(oracle, 1e-9):14.2f} "
              f"{encore / max(pooled, 1e-9):14.2f}")


if __name__ == "__main__":
    main()
