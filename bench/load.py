"""Load benchmark: Encore on loopback under wrk (2 threads, 32 connections), ratios to /healthz
taken in the same run, p50/p99 and errors per endpoint, including an interaction flood while
that user's model trains; then the memory of a web node and a model node holding 1,000
users' models. Prints tables; it is not a test.

    .venv/bin/python -m bench.load [--duration 20] [--connections 32] [--runs 1]
                                   [--workers 1] [--users 1000] [--no-memory]
                                   [--only WORDS...] [--store sqlite|dynamodb]

Needs wrk (Debian's `wrk`, in the Makefile's DEBIAN_PACKAGES). Every request goes to
127.0.0.1 only, and each run is bounded by --duration.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.servers import EncoreProcess

SECRET = "bench-model-secret"
PAGE = {"X-Requested-With": "encore"}
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}  # what Chromium sends on every fetch
TRAINER_HISTORY = 5000  # the "while training" user: each training fits this window

# Each POST body gets fresh interaction ids, so every request stores real rows. Each wrk
# thread seeds its own generator (one seed for all made both threads send the same ids: half
# the "flood" were duplicates, which the store answers without writing).
INTERACTIONS_LUA = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  math.randomseed(os.time() * 100 + {seed} * 10 + tid)
end
local function uuid4()
  return string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function (c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end)
end
local batch = {batch}
local sent = 0
request = function()
  local items = {{}}
  for i = 1, batch do
    sent = sent + 1  -- one device's plays arrive in order, as they happened
    local track = string.format("demo-%04d", math.random(1, 600))
    local finished = math.random() < 0.5
    items[i] = string.format(
      '{{"id":"%s","track_id":"%s","type":"%s","position_ms":%d,"duration_ms":60000,"at":%d}}',
      uuid4(), track, finished and "finished" or "skipped", finished and 60000 or 4000,
      os.time() * 1000 + sent % 1000)
  end
  local body = '{{"interactions":[' .. table.concat(items, ",") .. ']}}'
  return wrk.format("POST", "/api/interactions", nil, body)
end
"""

SUGGEST_LUA = """
wrk.method = "POST"
wrk.body = io.open("{body_file}"):read("*a")
"""


@contextmanager
def store_env(store: str, data: Path) -> Iterator[dict[str, str]]:
    """The server's store settings: its SQLite file (nothing to set), or a dynalite of its own
    under `data`, over HTTP on a free loopback port, stopped afterwards."""
    if store == "sqlite":
        yield {}
        return
    from tests.dynalite import Dynalite

    dynalite = Dynalite(data / "dynalite")
    dynalite.start()
    try:
        yield {"ENCORE_STORE": "dynamodb", "ENCORE_DYNAMODB_ENDPOINT": dynalite.endpoint_url}
    finally:
        dynalite.kill()


def _wrk(url: str, path: str, headers: dict[str, str], duration: int, connections: int,
         script: str | None) -> dict[str, float]:
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
               "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or "")
    command += ["-s", lua.name, f"{url}{path}"]
    out = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60).stdout
    Path(lua.name).unlink()
    return _parse(out)


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _percentile(out: str, which: str) -> float:
    found = re.search(rf"^\s*{which}%\s+([\d.]+\w+)", out, re.M)
    return _ms(found.group(1)) if found else float("nan")  # no answer at all: no latency


def _parse(out: str) -> dict[str, float]:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    # The latency distribution's own lines, not a "+/- Stdev" column that ends in 99%.
    p50, p99 = (_percentile(out, p) for p in ("50", "99"))
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(non2xx.group(1)) if non2xx else 0
    errors += sum(int(g) for g in socket.groups()) if socket else 0
    return {"rps": rps, "p50": p50, "p99": p99, "requests": total, "errors": errors}


def _cpu_s(pid: int, children: bool = True) -> float:
    """CPU seconds used so far by a process and (unless told not) its children (workers,
    trainers)."""
    pids = [pid] + ([int(p) for p in subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]
        if children else [])
    ticks = 0
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _settle(pid: int, limit_s: float = 30.0) -> None:
    """Wait until the server (and its trainers) is idle: wrk stops with requests still in
    flight (32 slow suggests are ~2 s of CPU), and what they leave running would be timed
    as the next case's tail."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        before = _cpu_s(pid)
        time.sleep(0.25)
        if _cpu_s(pid) - before < 0.025:  # under a tenth of one core
            return


def _plays(tracks: list[dict[str, Any]], start_ms: int) -> list[dict[str, Any]]:
    """Two finished, one skipped, ...: both classes, so the forest trains."""
    out = []
    for i, t in enumerate(tracks):
        finished = i % 3 != 2
        out.append({"id": str(uuid.uuid4()), "track_id": t["id"],
                    "type": "finished" if finished else "skipped",
                    "position_ms": t["duration_ms"] if finished else 4000,
                    "duration_ms": t["duration_ms"], "at": start_ms + i})
    return out


def _store_version(http: httpx.Client) -> tuple[int, bool]:
    """(snapshots saved so far, whether the latest has a forest) for the signed-in user."""
    answer = http.get("/api/model").json()
    return int(answer["model_version"].split(".")[0]), answer["snapshot"]["ensemble"] is not None


def _listener(url: str, name: str, history: int) -> tuple[httpx.Client, str, list[dict]]:
    """Sign up a listener with `history` interactions over the demo catalog and wait for their
    forest; return their client, cookie and a 500-candidate pool."""
    http = httpx.Client(base_url=url, headers=PAGE, timeout=120)
    http.post("/api/auth/signup", json={"username": name, "password": "bench password"})
    cookie = f"encore_session={http.cookies['encore_session']}"
    pool = http.get("/api/feed", params={"pool": 500}).json()["pool"]
    start = int(time.time() * 1000) - 86_400_000 - history
    tracks = [pool[i % len(pool)] for i in range(history)]
    for first in range(0, history, 500):
        batch = _plays(tracks[first:first + 500], start + first)
        http.post("/api/interactions", json={"interactions": batch}).raise_for_status()
    deadline = time.monotonic() + 300
    while not _store_version(http)[1]:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name}'s forest never trained")
        time.sleep(0.5)
    return http, cookie, pool


def _sizes(http: httpx.Client, path: str) -> tuple[int, int]:
    """(plain bytes, bytes on the wire as a browser asks for them) of one answer."""
    plain = http.get(path, headers={"Accept-Encoding": "identity"})
    with http.stream("GET", path, headers=BROWSER) as encoded:
        wire = sum(len(chunk) for chunk in encoded.iter_raw())
    return len(plain.content), wire


def run_endpoints(workers: int, duration: int, connections: int,
                  only: list[str] | None = None, store: str = "sqlite") -> dict[str, Any]:
    data = Path(tempfile.mkdtemp(prefix="encore-load-"))
    with store_env(store, data) as store_settings:
        return _run_endpoints(data, store_settings, workers, duration, connections, only)


def _run_endpoints(data: Path, store_settings: dict[str, str], workers: int, duration: int,
                   connections: int, only: list[str] | None) -> dict[str, Any]:
    env = {"ENCORE_MODEL_SECRET": SECRET, "ENCORE_LOGIN_MAX_FAILURES": "1000000",
           **store_settings}
    server = EncoreProcess("serve", data, env, ("--workers", str(workers))).start(timeout=90)
    url = server.url
    try:
        bench, cookie, pool = _listener(url, "bench", 40)
        users = {n: _listener(url, n, 40)[1] for n in ("flood", "batch")}
        wanted = not only or any(o in "POST /api/interactions (1), training" for o in only)
        trainer, trainer_cookie, _ = _listener(url, "trainer", TRAINER_HISTORY if wanted else 40)
        sizes = {"/api/model": _sizes(bench, "/api/model"), "/api/feed": _sizes(bench, "/api/feed")}

        def auth(cookie: str) -> dict[str, str]:
            return {"Cookie": cookie, **PAGE, "Content-Type": "application/json"}

        body_file = data / "suggest.json"
        body_file.write_text(json.dumps({"username": "bench", "candidates": pool, "limit": 30}))
        cases: list[tuple[str, str, dict[str, str], str | None, int]] = [
            ("GET /healthz", "/healthz", {}, None, connections),
            ("GET /api/feed", "/api/feed", {"Cookie": cookie, **BROWSER}, None, connections),
            ("GET /api/feed, one client", "/api/feed", {"Cookie": cookie, **BROWSER}, None, 1),
            ("POST /api/interactions (1), training", "/api/interactions", auth(trainer_cookie),
             INTERACTIONS_LUA.format(batch=1, seed=3), connections),
            ("POST /model/suggest (500)", "/model/suggest",
             {"X-Encore-Model-Secret": SECRET, "Content-Type": "application/json"},
             SUGGEST_LUA.format(body_file=body_file), connections),
            ("POST /api/interactions (1)", "/api/interactions", auth(users["flood"]),
             INTERACTIONS_LUA.format(batch=1, seed=1), connections),
            ("POST /api/interactions (20)", "/api/interactions", auth(users["batch"]),
             INTERACTIONS_LUA.format(batch=20, seed=2), connections),
        ]
        if only:
            cases = [cases[0]] + [c for c in cases[1:] if any(o in c[0] for o in only)]
        results: dict[str, Any] = {"sizes": sizes, "rows": []}
        pid = server.proc.pid  # type: ignore[union-attr]
        for name, path, headers, script, clients in cases:
            _settle(pid)
            before = _store_version(trainer)[0] if "training" in name else 0
            cpu, own = _cpu_s(pid), _cpu_s(pid, children=False)
            row = _wrk(url, path, headers, duration, clients, script)
            # the server's CPU per answer: steadier than req/s on a shared machine; with one
            # worker, "own" is the serving process alone (no training pool)
            answers = max(1, row["requests"])
            row["cpu_ms"] = (_cpu_s(pid) - cpu) * 1000 / answers
            row["own_ms"] = (_cpu_s(pid, children=False) - own) * 1000 / answers
            if "training" in name:
                time.sleep(1.0)  # the catch-up after the last request
                row["trainings"] = _store_version(trainer)[0] - before
            results["rows"].append((name, clients, row))
            print(f"  {workers} worker(s) · {name} · c={clients}: {row['rps']:.0f} req/s",
                  flush=True)
        bench.close()
        trainer.close()
        return results
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)


def _rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (Hypercorn workers), in MiB."""
    pids = [pid] + [int(p) for p in subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]
    total = 0
    for each in pids:
        status = Path(f"/proc/{each}/status").read_text()
        total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    return total / 1024


async def _fill_store(data: Path, users: int, per_user: int) -> None:
    """Users with histories written straight into the SQLite store (no argon2 per user)."""
    from backend.catalog.demo import demo_catalog
    from backend.store import Interaction, User
    from backend.store.sqlite import SQLiteStore

    tracks = demo_catalog()
    store = SQLiteStore(data / "encore.sqlite3")
    await store.open()
    for n in range(users):
        name = f"listener{n:04d}"
        await store.create_user(User(name, "!", name, {}, 0))
        items = [
            Interaction(str(uuid.uuid4()), tracks[(n * 7 + i * 13) % len(tracks)]["id"],
                        "finished" if (n + i) % 3 else "skipped", 30_000, 60_000,
                        1_700_000_000_000 + i * 1000)
            for i in range(per_user)
        ]
        await store.put_interactions(name, items)
    await store.close()


def run_memory(users: int, per_user: int) -> list[tuple[str, float, float]]:
    data = Path(tempfile.mkdtemp(prefix="encore-mem-"))
    asyncio.run(_fill_store(data, users, per_user))
    env = {"ENCORE_MODEL_SECRET": SECRET, "ENCORE_TRAIN_EVERY": "1000000"}
    rows = []
    try:
        for command in ("serve", "model-node"):
            node = EncoreProcess(command, data, env).start(timeout=90)
            try:
                before = _rss_mib(node.proc.pid)  # type: ignore[union-attr]
                with httpx.Client(base_url=node.url, timeout=60) as http:
                    for n in range(users):
                        response = http.post(
                            "/model/subscribe", json={"username": f"listener{n:04d}"},
                            headers={"X-Encore-Model-Secret": SECRET},
                        )
                        response.raise_for_status()
                after = _rss_mib(node.proc.pid)  # type: ignore[union-attr]
                rows.append((command, before, after))
            finally:
                node.stop()
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return rows


def print_table(workers: int, results: dict[str, Any]) -> None:
    rows = results["rows"]
    ceiling = rows[0][2]["rps"] or 1.0
    ceiling_p99 = rows[0][2]["p99"] or 1.0
    print(f"\n{'endpoint':38} {'c':>3} {'req/s':>8} {'÷ healthz':>9} {'p50 ms':>8} "
          f"{'p99 ms':>8} {'p99 ÷ healthz p99':>17} {'errors':>7} {'CPU ms/req':>10}"
          f" {'of it serving':>13}  ({workers} worker(s))")
    for name, clients, r in rows:
        extra = f"  {r['trainings']} trainings saved meanwhile" if "trainings" in r else ""
        print(f"{name:38} {clients:>3} {r['rps']:>8.0f} {r['rps'] / ceiling:>9.3f} "
              f"{r['p50']:>8.1f} {r['p99']:>8.1f} {r['p99'] / ceiling_p99:>17.2f} "
              f"{int(r['errors']):>7} {r['cpu_ms']:>10.2f} "
              f"{r['own_ms'] if workers == 1 else float('nan'):>13.2f}{extra}")
    print(f"load average at the end: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    for path, (plain, wire) in results["sizes"].items():
        print(f"{path} transfer: {plain / 1024:.1f} KB plain, {wire / 1024:.1f} KB on the wire "
              f"(Accept-Encoding: {BROWSER['Accept-Encoding']})")


def print_ranges(workers: int, runs: list[dict[str, Any]]) -> None:
    """Each figure's range over the runs (ratios from within each run)."""
    print(f"\nRange over {len(runs)} runs ({workers} worker(s)): min–max")
    for index, (name, clients, _) in enumerate(runs[0]["rows"]):
        ratios = [run["rows"][index][2]["rps"] / (run["rows"][0][2]["rps"] or 1.0)
                  for run in runs]
        p50s = [run["rows"][index][2]["p50"] for run in runs]
        p99s = [run["rows"][index][2]["p99"] for run in runs]
        p99_ratios = [run["rows"][index][2]["p99"] / (run["rows"][0][2]["p99"] or 1.0)
                      for run in runs]
        rps = [run["rows"][index][2]["rps"] for run in runs]
        print(f"{name:38} {clients:>3}  req/s {min(rps):.0f}–{max(rps):.0f}  "
              f"÷ healthz {min(ratios):.3f}–{max(ratios):.3f}  p50 {min(p50s):.1f}–{max(p50s):.1f}"
              f"  p99 {min(p99s):.1f}–{max(p99s):.1f}"
              f" (÷ healthz p99 {min(p99_ratios):.2f}–{max(p99_ratios):.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--workers", type=int, nargs="+", default=[1])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--history", type=int, default=50, help="interactions per user")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--only", nargs="*", help="cases whose name holds one of these words")
    parser.add_argument("--store", choices=["sqlite", "dynamodb"], default="sqlite",
                        help="dynamodb: a dynalite of the bench's own, over HTTP")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: make system (Debian's wrk)")

    print(f"Load: wrk, {args.connections} connections, {args.duration} s per endpoint, loopback,"
          f" {args.store} store")
    for workers in args.workers:
        runs = []
        for _ in range(args.runs):
            runs.append(run_endpoints(workers, args.duration, args.connections, args.only,
                                      args.store))
            print_table(workers, runs[-1])
        if len(runs) > 1:
            print_ranges(workers, runs)

    if args.no_memory:
        return
    print(f"\nMemory: {args.users} users with {args.history} interactions each, models cached")
    print(f"{'node':12} {'idle MiB':>9} {'loaded MiB':>11} {'KiB per user':>13}")
    for command, before, after in run_memory(args.users, args.history):
        per_user = (after - before) * 1024 / args.users
        print(f"{command:12} {before:>9.1f} {after:>11.1f} {per_user:>13.1f}")


if __name__ == "__main__":
    main()
