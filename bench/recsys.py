"""Recommendation-quality benchmark: prints tables, is not a test.

    .venv/bin/python -m bench.recsys [--listeners N] [--plays N] [--seed S] [--quick]
                                     [--policies a,b] [--kinds a,b] [--jobs J]

A catalog generated from latent vectors (bench/catalog.py) and simulated listeners of six
kinds whose taste lives in that latent space or, for the "classic" kind kept from the v1/v2
bench, in the observable fields (bench/listeners.py). Listener i is of kind i mod 6; half of
each kind gave onboarding picks (two genres), half did not. Each listener hears `--plays`
tracks (no repeats) served by each policy, with the same pre-drawn luck for every policy.

Policies (bench/policies.py), side by side on the same listeners:
  random      uniform over what is left
  popularity  the most popular track left (the same list for everyone)
  seed-rf     the seed report's method: a 50-tree random forest on Encore's feature vector,
              refit on the whole history after every interaction, over the whole catalog
  encore      the browser's path: the server's feed gives a pool of 200 at each session
              start, the Pyodide worker's bridge (same code, same settings) learns every
              interaction and re-ranks the pool; the server trains its forest every 25
  oracle-z    the same, without knowing the per-track noise of the latent listeners (the
              part of a taste nothing observable explains): a ceiling for learners
  oracle      plays the track with the highest true finish probability right now

Prints completion per policy x play window, x listener kind, with and without picks, the
paired 95 % t intervals of Encore minus seed-rf over listeners, and each policy's share of
the oracle (mean and worst listener). Deterministic for a given --seed (any --jobs).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from typing import Any

from .catalog import Catalog, build
from .diagnostics import FeatureOraclePolicy, PoolOraclePolicy
from .listeners import KINDS, SESSION_GAP_MS, Listener, make
from .policies import (
    BlindOraclePolicy,
    EncorePolicy,
    OraclePolicy,
    Policy,
    PopularityPolicy,
    RandomPolicy,
    SeedForestPolicy,
)
from .report import Run, mean, print_tables

START_MS = 1_700_000_000_000
POLICIES = ("random", "popularity", "seed-rf", "encore", "oracle-z", "oracle")
Track = dict[str, Any]
Factory = Callable[[Listener, random.Random, list[str] | None], Policy]

FACTORIES: dict[str, Factory] = {
    "random": lambda listener, rng, picks: RandomPolicy(rng),
    "popularity": lambda listener, rng, picks: PopularityPolicy(),
    "seed-rf": lambda listener, rng, picks: SeedForestPolicy(rng, picks),
    "encore": lambda listener, rng, picks: EncorePolicy({"favorite_genres": picks or []}),
    "oracle": lambda listener, rng, picks: OraclePolicy(listener),
    "oracle-z": lambda listener, rng, picks: BlindOraclePolicy(listener),
}
# Diagnostics (bench/diagnostics.py), not competitors: run only when named in --policies.
DIAGNOSTICS: dict[str, Factory] = {
    "diag-pool-oracle": lambda listener, rng, picks: PoolOraclePolicy(
        listener, {"favorite_genres": picks or []}),
    "diag-feat-linear": lambda listener, rng, picks: FeatureOraclePolicy(listener, rng, "linear"),
    "diag-feat-forest": lambda listener, rng, picks: FeatureOraclePolicy(listener, rng, "forest"),
}
FACTORIES.update(DIAGNOSTICS)


@cache
def _catalog(seed: int) -> Catalog:
    return build(seed)


def simulate(policy: Policy, listener: Listener, catalog: list[Track], plays: int,
             tag: str) -> tuple[list[bool], int, float]:
    remaining = list(catalog)
    now = START_MS
    finished: list[bool] = []
    artists: list[str] = []
    repeats = 0
    spent = 0.0
    for k in range(plays):
        t0 = time.perf_counter()
        if k == 0 or listener.session_break():
            policy.session_start()
        track = policy.choose(remaining, now)
        spent += time.perf_counter() - t0
        remaining = [t for t in remaining if t is not track]
        ok, position = listener.listen(track)
        now += position
        artist = track["artists"][0]["id"]
        repeats += artist in artists[-3:]
        artists.append(artist)
        finished.append(ok)
        interaction = {"id": f"{tag}-{k:05d}", "track_id": track["id"],
                       "type": "finished" if ok else "skipped", "position_ms": position,
                       "duration_ms": track["duration_ms"], "at": now}
        t0 = time.perf_counter()
        policy.observe(track, interaction)
        spent += time.perf_counter() - t0
        now += 2_000  # the next track starts
        if listener.session_break():
            now += SESSION_GAP_MS
    return finished, repeats, spent


def listener_spec(index: int, kinds: tuple[str, ...]) -> tuple[str, bool]:
    """(kind, gave onboarding picks) of listener `index`: kinds in turn; within a kind,
    picks alternate, and in the first round every other kind has them."""
    rounds, k = divmod(index, len(kinds))
    return kinds[k], (rounds + k) % 2 == 0


def run_one(seed: int, index: int, kinds: tuple[str, ...], plays: int, name: str) -> Run:
    catalog = _catalog(seed)
    kind, with_picks = listener_spec(index, kinds)
    listener = make(catalog, kind, seed, index, plays)
    rng = random.Random(f"recsys:{seed}:{index}:{name}")
    twin = make(catalog, kind, seed, index, plays, blind=True) if name == "oracle-z" \
        else listener
    policy = FACTORIES[name](twin, rng, listener.picks if with_picks else None)
    finished, repeats, seconds = simulate(policy, listener, catalog.tracks, plays, f"l{index}")
    return Run(kind, with_picks, finished, repeats, seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--listeners", type=int, default=12,
                        help="listeners in all, kinds in turn (12: two of each kind, one of "
                             "them with onboarding picks)")
    parser.add_argument("--plays", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true",
                        help="one listener of each kind, 100 plays: a smoke run")
    parser.add_argument("--policies", default=",".join(POLICIES),
                        help="comma-separated, from " + ",".join(POLICIES) + " and the "
                             "diagnostics " + ",".join(DIAGNOSTICS))
    parser.add_argument("--kinds", default=",".join(KINDS),
                        help="comma-separated, from " + ",".join(KINDS))
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    args = parser.parse_args(argv)
    kinds = tuple(k for k in args.kinds.split(",") if k)
    names = [p for p in args.policies.split(",") if p]
    if set(names) - set(FACTORIES) or set(kinds) - set(KINDS):
        parser.error("unknown policy or listener kind")
    listeners, plays = (len(kinds), min(args.plays, 100)) if args.quick \
        else (args.listeners, args.plays)
    if plays > len(_catalog(args.seed).tracks):
        parser.error("--plays must be at most the catalog size")

    wall = time.perf_counter()
    tasks = [(i, name) for i in range(listeners) for name in names]
    runs: dict[str, list[Run]] = {name: [] for name in names}
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_one, args.seed, i, kinds, plays, name) for i, name in tasks]
        for done, ((_, name), future) in enumerate(zip(tasks, futures, strict=True), 1):
            runs[name].append(future.result())
            if done % len(names) == 0:
                print(f"listener {done // len(names)}/{listeners} done "
                      f"({time.perf_counter() - wall:.0f} s)", file=sys.stderr, flush=True)
    print(f"Seed {args.seed}, {listeners} listeners x {plays} plays, kinds: {', '.join(kinds)}; "
          f"catalog of {len(_catalog(args.seed).tracks)} latent-generated tracks; "
          f"whole run {time.perf_counter() - wall:.0f} s with {args.jobs} processes")
    print_tables(runs, plays, kinds)
    if "encore" in runs and "oracle" in runs and plays > 100:
        share = mean([r.rate(100, plays) for r in runs["encore"]]) / max(
            1e-9, mean([r.rate(100, plays) for r in runs["oracle"]]))
        print(f"\nEncore's completion from play 101 on is {share:.2f} of the oracle's")


if __name__ == "__main__":
    main()
