"""Where a server's time goes under load: py-spy samples a real Encore process while wrk
floods one endpoint, and the top functions (own time and time including callees) are printed.
It is not a test.

    .venv/bin/python -m bench.profile feed|interactions|training|healthz [--duration 15] [--top 25]
                                      [--store sqlite|dynamodb]

`--store dynamodb` serves from a dynalite of its own (tests/dynalite.py, over HTTP).

Needs wrk and py-spy (`pip install py-spy`; it is a developer tool, not a dependency).
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.load import (
    BROWSER,
    INTERACTIONS_LUA,
    PAGE,
    SECRET,
    TRAINER_HISTORY,
    _listener,
    _wrk,
    store_env,
)
from tests.servers import EncoreProcess


def _top(collapsed: str, top: int) -> None:
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    samples = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        samples += n
        frames = [f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0].split("/")[-1] + ")"
                  if " (" in f else f for f in stack.split(";")]
        own[frames[-1]] += n
        for frame in set(frames):
            total[frame] += n
    print(f"{samples} samples")
    print(f"\n{'own %':>6}  function (file)")
    for frame, n in own.most_common(top):
        print(f"{100 * n / samples:>6.1f}  {frame}")
    print(f"\n{'total %':>7}  function (file), callees included")
    for frame, n in total.most_common(top):
        print(f"{100 * n / samples:>7.1f}  {frame}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=["feed", "interactions", "training", "healthz"])
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--store", choices=["sqlite", "dynamodb"], default="sqlite")
    parser.add_argument("--raw", type=Path, help="also keep py-spy's raw (collapsed) stacks here")
    parser.add_argument("--gil", action="store_true",
                        help="only samples of the thread holding the GIL (threads waiting on a "
                             "lock or a queue otherwise look busy)")
    args = parser.parse_args()
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    data = Path(tempfile.mkdtemp(prefix="encore-profile-"))
    with store_env(args.store, data) as store:
        profile(args, spy, data, store)


def profile(args: argparse.Namespace, spy: str, data: Path, store: dict[str, str]) -> None:
    env = {"ENCORE_MODEL_SECRET": SECRET, "ENCORE_LOGIN_MAX_FAILURES": "1000000", **store}
    server = EncoreProcess("serve", data, env).start(timeout=90)
    try:
        history = TRAINER_HISTORY if args.case == "training" else 40
        _, cookie, _ = _listener(server.url, "bench", history)
        if args.case == "feed":
            headers, script = {"Cookie": cookie, **BROWSER}, None
            path = "/api/feed"
        elif args.case == "healthz":  # the ceiling's own cost, to set beside the others
            headers, script, path = {}, None, "/healthz"
        else:
            headers = {"Cookie": cookie, **PAGE, "Content-Type": "application/json"}
            path, script = "/api/interactions", INTERACTIONS_LUA.format(batch=1, seed=0)
        out = data / "profile.txt"
        assert server.proc is not None
        spying = subprocess.Popen(
            [spy, "record", "--pid", str(server.proc.pid), "--duration", str(args.duration),
             "--rate", "200", "--format", "raw", "--subprocesses", "--output", str(out),
             *(["--gil"] if args.gil else [])],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        row = _wrk(server.url, path, headers, args.duration - 2, args.connections, script)
        spying.wait(timeout=args.duration + 60)
        print(f"{args.case} ({args.store}): {row['rps']:.0f} req/s, p50 {row['p50']:.1f} ms, "
              f"p99 {row['p99']:.1f} ms, errors {int(row['errors'])}")
        _top(out.read_text(), args.top)
        if args.raw:
            shutil.copyfile(out, args.raw)
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
