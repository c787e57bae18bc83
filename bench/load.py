"""Load benchmark: Encore on loopback under wrk (concurrency 32, 20 s per endpoint), with 1
and with 2 Hypercorn workers, and the memory of a web node and a model node holding 1,000
users' models. Prints tables; it is not a test.

    .venv/bin/python -m bench.load [--duration 20] [--connections 32] [--users 1000]

Needs wrk (Debian: `apt-get install wrk`). Every request goes to 127.0.0.1 only, and each
run is bounded by --duration.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from tests.servers import EncoreProcess

SECRET = "bench-model-secret"
PAGE = {"X-Requested-With": "encore"}

# Each POST body gets fresh interaction ids, so every request stores real rows.
INTERACTIONS_LUA = """
math.randomseed(os.time())
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
    items[i] = string.format(
      '{{"id":"%s","track_id":"%s","type":"skipped","position_ms":4000,"duration_ms":60000,"at":%d}}',
      uuid4(), track, os.time() * 1000 + sent % 1000)
  end
  local body = '{{"interactions":[' .. table.concat(items, ",") .. ']}}'
  return wrk.format("POST", "/api/interactions", nil, body)
end
"""

SUGGEST_LUA = """
wrk.method = "POST"
wrk.body = io.open("{body_file}"):read("*a")
"""


def _wrk(url: str, path: str, headers: dict[str, str], duration: int, connections: int,
         script: str | None) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
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


def _session(url: str) -> tuple[str, list[dict]]:
    """Sign up a listener with some history; return their cookie and a feed's pool."""
    with httpx.Client(base_url=url, headers=PAGE, timeout=30) as http:
        http.post("/api/auth/signup", json={"username": "bench", "password": "bench password"})
        cookie = f"encore_session={http.cookies['encore_session']}"
        pool = http.get("/api/feed", params={"pool": 500}).json()["pool"]
        items = [
            {"id": str(uuid.uuid4()), "track_id": t["id"], "type": "finished",
             "position_ms": t["duration_ms"], "duration_ms": t["duration_ms"],
             "at": int(time.time() * 1000) - 60_000 + i}
            for i, t in enumerate(pool[:40])
        ]
        http.post("/api/interactions", json={"interactions": items})
    return cookie, pool


def run_endpoints(workers: int, duration: int, connections: int) -> list[tuple[str, dict]]:
    data = Path(tempfile.mkdtemp(prefix="encore-load-"))
    env = {"ENCORE_MODEL_SECRET": SECRET, "ENCORE_LOGIN_MAX_FAILURES": "1000000"}
    server = EncoreProcess("serve", data, env, ("--workers", str(workers))).start(timeout=90)
    try:
        cookie, pool = _session(server.url)
        auth = {"Cookie": cookie, **PAGE, "Content-Type": "application/json"}
        body_file = data / "suggest.json"
        body_file.write_text(json.dumps({"username": "bench", "candidates": pool, "limit": 30}))
        cases = [
            ("GET /healthz", "/healthz", {}, None),
            ("POST /api/interactions (1)", "/api/interactions", auth,
             INTERACTIONS_LUA.format(batch=1)),
            ("POST /api/interactions (20)", "/api/interactions", auth,
             INTERACTIONS_LUA.format(batch=20)),
            ("GET /api/feed", "/api/feed", {"Cookie": cookie}, None),
            ("POST /model/suggest (500)", "/model/suggest",
             {"X-Encore-Model-Secret": SECRET, "Content-Type": "application/json"},
             SUGGEST_LUA.format(body_file=body_file)),
        ]
        results = []
        for name, path, headers, script in cases:
            results.append((name, _wrk(server.url, path, headers, duration, connections, script)))
            print(f"  {workers} worker(s) · {name}: {results[-1][1]['rps']:.0f} req/s", flush=True)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--history", type=int, default=50, help="interactions per user")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    print(f"Load: wrk, {args.connections} connections, {args.duration} s per endpoint, loopback")
    table = {workers: run_endpoints(workers, args.duration, args.connections) for workers in (1, 2)}
    header = f"{'endpoint':32} {'workers':>7} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
    print("\n" + header + f"{'errors':>7} {'vs healthz':>10}")
    for workers, results in table.items():
        ceiling = results[0][1]["rps"] or 1.0
        for name, r in results:
            print(f"{name:32} {workers:>7} {r['rps']:>9.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} "
                  f"{int(r['errors']):>7} {r['rps'] / ceiling:>10.2f}")

    print(f"\nMemory: {args.users} users with {args.history} interactions each, models cached")
    print(f"{'node':12} {'idle MiB':>9} {'loaded MiB':>11} {'KiB per user':>13}")
    for command, before, after in run_memory(args.users, args.history):
        per_user = (after - before) * 1024 / args.users
        print(f"{command:12} {before:>9.1f} {after:>11.1f} {per_user:>13.1f}")


if __name__ == "__main__":
    main()
