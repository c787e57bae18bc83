"""Recommendation-quality benchmark: prints tables, is not a test.

    .venv/bin/python -m bench.recsys [--listeners N] [--plays N] [--seed S] [--quick]

Simulated listeners (bench/listeners.py) with hidden tastes over the demo catalog: genre
affinity, non-linear feature preferences (an energy x valence band, a tempo window, a
speechiness limit), artist fatigue and a mood (preferred energy) that drifts within each
50-play session. The taste is a product of plateau/bump gates over raw catalog fields, not
a logistic function of Encore's feature vector. Each listener hears `--plays` tracks (no
repeats) served by a policy and finishes or skips each by that taste, with the same
pre-drawn luck for every policy.

Policies (bench/policies.py), side by side on the same listeners:
  random      uniform over what is left
  popularity  the most popular track left (the same list for everyone)
  seed-rf     the seed report's method: a 50-tree random forest on the 11 raw audio
              features, retrained on the whole history after every interaction
  encore      shared_model as the app runs it: learn each interaction, re-rank what is
              left, play the top; rebuild_model (replay + scikit-learn forest) every 25
  oracle      plays the track with the highest true finish probability right now

Prints the completion rate per 25-play window, the plays Encore needs to reach 80 % of the
oracle (rolling 25-play window of the mean over listeners), Encore's margin over seed-rf
(mean over listeners with a 95 % interval on the paired differences) and timings.
Deterministic for a given --seed.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from backend.catalog.demo import demo_catalog
from shared_model import DEFAULT_SETTINGS

from .listeners import SESSION_GAP_MS, Listener
from .policies import (
    EncorePolicy,
    OraclePolicy,
    Policy,
    PopularityPolicy,
    RandomPolicy,
    SeedForestPolicy,
    SpacedEncorePolicy,
)

START_MS = 1_700_000_000_000
WINDOW = 25
REACH = 0.8
POLICIES = ("random", "popularity", "seed-rf", "encore", "oracle")
EXTRA = ("encore-spaced",)  # diagnostic variants, only when named in --policies
Track = dict[str, Any]
Factory = Callable[[Listener, random.Random], Policy]


@dataclass
class Run:
    finished: list[bool]
    repeats: int  # plays whose artist was among the previous 3 plays
    seconds: float  # time spent inside the policy (choose + observe)


def simulate(policy: Policy, listener: Listener, catalog: list[Track], plays: int,
             tag: str) -> Run:
    remaining = list(catalog)
    now = START_MS
    finished: list[bool] = []
    artists: list[str] = []
    repeats = 0
    spent = 0.0
    for k in range(plays):
        t0 = time.perf_counter()
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
        if listener.session_break():
            now += SESSION_GAP_MS
    return Run(finished, repeats, spent)


def _factories(catalog: list[Track], seed_features: str,
               exploration: float | None) -> dict[str, Factory]:
    by_id = {t["id"]: t for t in catalog}
    settings = dict(DEFAULT_SETTINGS)
    if exploration is not None:
        settings["exploration"] = exploration
    return {
        "random": lambda listener, rng: RandomPolicy(rng),
        "popularity": lambda listener, rng: PopularityPolicy(),
        "seed-rf": lambda listener, rng: SeedForestPolicy(rng, seed_features),
        "encore": lambda listener, rng: EncorePolicy(by_id, settings),
        "oracle": lambda listener, rng: OraclePolicy(listener),
        "encore-spaced": lambda listener, rng: SpacedEncorePolicy(by_id, settings),
    }


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else float("nan")


def _interval(diffs: list[float]) -> str:
    """Mean ± 95 % half-width (normal approximation) of paired per-listener differences."""
    m = _mean(diffs)
    if len(diffs) < 2:
        return f"{m * 100:+.1f} pp"
    sd = math.sqrt(sum((d - m) ** 2 for d in diffs) / (len(diffs) - 1))
    return f"{m * 100:+.1f} pp ± {1.96 * sd / math.sqrt(len(diffs)) * 100:.1f}"


def _rolling(curve: list[float]) -> list[float]:
    """Mean of the WINDOW plays ending at each play (index k = play k+1), from play WINDOW."""
    return [_mean(curve[k - WINDOW + 1:k + 1]) for k in range(WINDOW - 1, len(curve))]


def _reach(encore: list[float], oracle: list[float]) -> tuple[int | None, int | None]:
    """(first play at which, play from which on always) Encore's rolling completion is at
    least REACH x the oracle's, both on the mean-over-listeners curve."""
    enc, orc = _rolling(encore), _rolling(oracle)
    ok = [e >= REACH * o for e, o in zip(enc, orc, strict=True)]
    first = next((k + WINDOW for k, hit in enumerate(ok) if hit), None)
    stays = None
    for k in range(len(ok) - 1, -1, -1):
        if not ok[k]:
            break
        stays = k + WINDOW
    return first, stays


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listeners", type=int, default=20)
    parser.add_argument("--plays", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="3 listeners: a smoke run")
    parser.add_argument("--seed-features", choices=("raw", "encore"), default="raw",
                        help="seed-rf inputs: the 11 raw audio features or Encore's vector")
    parser.add_argument("--exploration", type=float, default=None,
                        help="Encore's exploration setting (default: the app's default)")
    parser.add_argument("--policies", default=",".join(POLICIES),
                        help="comma-separated, from " + ",".join(POLICIES + EXTRA))
    args = parser.parse_args(argv)
    listeners = 3 if args.quick else args.listeners
    names = [p for p in args.policies.split(",") if p]
    unknown = set(names) - set(POLICIES) - set(EXTRA)
    if unknown:
        parser.error(f"unknown policies: {sorted(unknown)}")
    catalog = sorted(demo_catalog(), key=lambda t: t["id"])
    if args.plays > len(catalog):
        parser.error(f"--plays must be at most the catalog size ({len(catalog)})")
    factories = _factories(catalog, args.seed_features, args.exploration)

    runs: dict[str, list[Run]] = {name: [] for name in names}
    wall = time.perf_counter()
    for i in range(listeners):
        for name in names:
            listener = Listener.make(args.seed, i, args.plays)
            rng = random.Random(f"recsys:{args.seed}:{i}:{name}")
            policy = factories[name](listener, rng)
            runs[name].append(simulate(policy, listener, catalog, args.plays, f"l{i}"))
        print(f"listener {i + 1}/{listeners} done ({time.perf_counter() - wall:.0f} s)",
              file=sys.stderr, flush=True)
    _report(runs, listeners, args, time.perf_counter() - wall)


def _report(runs: dict[str, list[Run]], listeners: int, args: argparse.Namespace,
            wall: float) -> None:
    plays = args.plays
    windows = [(a, min(a + WINDOW, plays)) for a in range(0, plays, WINDOW)]
    curves = {name: [_mean([float(r.finished[k]) for r in rs]) for k in range(plays)]
              for name, rs in runs.items()}
    explore = DEFAULT_SETTINGS["exploration"] if args.exploration is None else args.exploration
    print(f"Completion rate (% of plays finished), mean over {listeners} listeners x {plays} "
          f"plays, seed {args.seed}; seed-rf on {args.seed_features} features; Encore "
          f"exploration {explore}")
    head = "".join(f"{f'{a + 1}-{b}':>8}" for a, b in windows)
    print(f"{'policy':<14}{head}{'overall':>9}{'last 100':>9}{'art rep':>8}"
          f"{'ms/play':>9}{'total s':>9}")
    for name, rs in runs.items():
        curve = curves[name]
        cells = "".join(f"{_mean(curve[a:b]) * 100:>8.1f}" for a, b in windows)
        repeats = sum(r.repeats for r in rs) / (listeners * plays)
        seconds = sum(r.seconds for r in rs)
        print(f"{name:<14}{cells}{_mean(curve) * 100:>9.1f}{_mean(curve[-100:]) * 100:>9.1f}"
              f"{repeats * 100:>8.1f}{seconds / (listeners * plays) * 1e3:>9.1f}"
              f"{seconds:>9.1f}")
    print("art rep: % of plays whose artist was among the previous 3 plays "
          "(the listeners tire of repeats)")
    print(f"whole run: {wall:.0f} s")

    if "encore" in runs and "oracle" in runs:
        first, stays = _reach(curves["encore"], curves["oracle"])
        ratio = "".join(
            f"{_mean(curves['encore'][a:b]) / max(1e-9, _mean(curves['oracle'][a:b])) * 100:>8.0f}"
            for a, b in windows)
        print(f"\nencore as % of oracle per window:{ratio}")
        print(f"plays for Encore to reach {REACH:.0%} of the oracle (rolling {WINDOW}-play "
              f"window): {f'first at play {first}' if first else 'not reached'}"
              f"{f', for good from play {stays}' if stays else ''}")
    if "encore" in runs and "seed-rf" in runs:
        pairs = list(zip(runs["encore"], runs["seed-rf"], strict=True))
        overall = [_mean([float(x) for x in e.finished]) - _mean([float(x) for x in s.finished])
                   for e, s in pairs]
        last = [_mean([float(x) for x in e.finished[-100:]])
                - _mean([float(x) for x in s.finished[-100:]]) for e, s in pairs]
        wins = sum(d > 0 for d in overall)
        print(f"Encore's margin over seed-rf: overall {_interval(overall)}, "
              f"last 100 plays {_interval(last)} (95 % interval over listeners; Encore ahead "
              f"for {wins} of {len(pairs)} listeners)")


if __name__ == "__main__":
    main()
