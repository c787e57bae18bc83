"""The tables bench/recsys.py prints: completion by policy x listener kind x play window,
paired 95 % intervals against the seed's method, and each listener's share of the oracle."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import t as student_t

BASELINE = "seed-rf"
CHALLENGER = "encore"
ORACLE = "oracle"


@dataclass
class Run:
    kind: str
    picks: bool
    finished: list[bool]
    repeats: int  # plays whose artist was among the previous 3 plays
    seconds: float  # time spent inside the policy (choose + observe)

    def rate(self, a: int, b: int) -> float:
        part = self.finished[a:b]
        return sum(part) / len(part) if part else float("nan")


def mean(xs: Sequence[float]) -> float:
    return math.fsum(xs) / len(xs) if xs else float("nan")


def interval(xs: Sequence[float]) -> tuple[float, float]:
    """(mean, half-width of the 95 % t interval); half-width nan below two values."""
    m = mean(xs)
    if len(xs) < 2:
        return m, float("nan")
    sd = math.sqrt(math.fsum((x - m) ** 2 for x in xs) / (len(xs) - 1))
    return m, float(student_t.ppf(0.975, len(xs) - 1)) * sd / math.sqrt(len(xs))


def windows(plays: int, width: int = 25) -> list[tuple[int, int]]:
    return [(a, min(a + width, plays)) for a in range(0, plays, width)]


def summary_windows(plays: int) -> list[tuple[str, int, int]]:
    out = [("1-50", 0, min(50, plays))]
    if plays > 100:
        out.append(("101-" + str(plays), 100, plays))
    out.append(("all", 0, plays))
    return out


def _pp(m: float, h: float) -> str:
    if math.isnan(h):
        return f"{m * 100:+.1f}"
    return f"{m * 100:+.1f}±{h * 100:.1f}"


def _pp_small(xs: Sequence[float]) -> str:
    """A difference over a small group: the interval only from 4 listeners on."""
    m, h = interval(xs)
    return _pp(m, h if len(xs) >= 4 else float("nan"))


def _diffs(runs: dict[str, list[Run]], a: str, b: str, lo: int, hi: int,
           keep: list[int]) -> list[float]:
    return [runs[a][i].rate(lo, hi) - runs[b][i].rate(lo, hi) for i in keep]


def print_tables(runs: dict[str, list[Run]], plays: int, kinds: Sequence[str]) -> None:
    names = list(runs)
    n = len(next(iter(runs.values())))
    everyone = list(range(n))
    first = runs[names[0]]
    wins = windows(plays)
    cols = [(f"{a + 1}-{b}", a, b) for a, b in wins] + summary_windows(plays)

    print(f"\nTable 1. Completion (% of plays finished), mean over {n} listeners; last rows: "
          f"paired difference with {BASELINE}, pp, ± 95 % t interval over listeners")
    print(f"{'policy':<18}" + "".join(f"{c:>11}" for c, _, _ in cols))
    for name in names:
        cells = "".join(f"{mean([r.rate(a, b) for r in runs[name]]) * 100:>11.1f}"
                        for _, a, b in cols)
        print(f"{name:<18}{cells}")
    if BASELINE in runs:
        for name in names:
            if name in (BASELINE, ORACLE) or not name.startswith(CHALLENGER):
                continue
            cells = "".join(f"{_pp(*interval(_diffs(runs, name, BASELINE, a, b, everyone))):>11}"
                            for _, a, b in cols)
            print(f"{name + ' - ' + BASELINE:<18}{cells}")

    print(f"\nTable 2. Completion % by listener kind (n per kind), play windows "
          f"{', '.join(c for c, _, _ in summary_windows(plays))}; "
          f"'Δ' rows: {CHALLENGER} - {BASELINE}, pp (± 95 % t interval from 4 listeners a kind)")
    for label, lo, hi in summary_windows(plays):
        head = "".join(f"{k[:12]:>14}" for k in kinds)
        print(f"plays {label:<10}{head}")
        groups = {k: [i for i in everyone if first[i].kind == k] for k in kinds}
        for name in names:
            cells = "".join(f"{mean([runs[name][i].rate(lo, hi) for i in g]) * 100:>14.1f}"
                            for g in groups.values())
            print(f"  {name:<14}{cells}")
        if BASELINE in runs and CHALLENGER in runs:
            cells = "".join(f"{_pp_small(_diffs(runs, CHALLENGER, BASELINE, lo, hi, g)):>14}"
                            for g in groups.values())
            print(f"  {'Δ':<14}{cells}")

    print("\nTable 3. Cold start: listeners with and without onboarding picks")
    groups3 = {"picks": [i for i in everyone if first[i].picks],
               "no picks": [i for i in everyone if not first[i].picks]}
    cold = [c for c in cols if c[0] in ("1-25", "26-50", "1-50", "all")]
    print(f"{'policy':<16}" + "".join(f"{g + ' ' + c:>16}" for g in groups3 for c, _, _ in cold))
    for name in names:
        cells = "".join(f"{mean([runs[name][i].rate(a, b) for i in g]) * 100:>16.1f}"
                        for g in groups3.values() for _, a, b in cold)
        print(f"{name:<16}{cells}")
    if BASELINE in runs and CHALLENGER in runs:
        cells = "".join(f"{_pp(*interval(_diffs(runs, CHALLENGER, BASELINE, a, b, g))):>16}"
                        for g in groups3.values() for _, a, b in cold)
        print(f"{'Δ':<16}{cells}")

    if ORACLE in runs:
        print("\nTable 4. Share of the oracle: policy completion / oracle completion; mean over "
              "listeners, and the worst listener (its kind)")
        print(f"{'policy':<16}" + "".join(f"{c + ' mean':>14}{c + ' worst':>26}"
                                          for c, _, _ in summary_windows(plays)))
        for name in names:
            if name == ORACLE:
                continue
            cells = ""
            for _, a, b in summary_windows(plays):
                shares = [runs[name][i].rate(a, b) / max(1e-9, runs[ORACLE][i].rate(a, b))
                          for i in everyone]
                worst = min(everyone, key=lambda i: shares[i])
                cells += (f"{mean(shares):>14.2f}"
                          f"{f'{shares[worst]:.2f} ({first[worst].kind})':>26}")
            print(f"{name:<16}{cells}")

    print("\nCost (wall time inside the policy, on whatever else the machine runs) and artist "
          "repeats (% of plays whose artist was among the previous 3)")
    for name in names:
        seconds = math.fsum(r.seconds for r in runs[name])
        repeats = sum(r.repeats for r in runs[name]) / (n * plays)
        print(f"  {name:<16}{seconds / (n * plays) * 1e3:>8.1f} ms/play"
              f"{repeats * 100:>8.1f} % repeats")
