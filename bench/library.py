"""The local library's speed: analysis per minute, a 50k-file rescan, feed latency and web-node
memory against library size. Prints Markdown tables (docs/performance.md, "## Library").

    .venv/bin/python -m bench.library [--quick]

Figures come from one run on whatever machine runs it (a shared 2-core machine for the docs):
compare them within a run. Synthetic tags and features stand in for real ones where only the
size of the library matters (feed, memory, rescan); the analysis runs on real 3-minute MP3s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.library.records import album_id, artist_id  # noqa: E402
from backend.store.catalog import CatalogTrack, LibraryFile  # noqa: E402
from backend.store.sqlite import SQLiteStore  # noqa: E402

GENRES = ["Rock", "Jazz", "Electronic", "Hip-Hop", "Classical", "Folk", "Metal", "Soul", "Pop",
          "Ambient", "Blues", "Reggae"]


def synthetic(n: int, rng: random.Random) -> CatalogTrack:
    artist = f"Artist {n % 5000}"  # 10 tracks per artist at 50k
    album = f"Album {n // 10}"
    track_id = f"local-{uuid.UUID(int=rng.getrandbits(128)).hex[:20]}"
    features: dict[str, float] = {
        "tempo": rng.uniform(60, 180), "key": float(rng.randrange(12)),
        "mode": float(rng.randrange(2)), "loudness": rng.uniform(-30, -5),
        "energy": rng.random(), "brightness": rng.random(), "rhythm_strength": rng.random(),
        "centroid_hz": rng.uniform(400, 5000),
        **{f"timbre_{i}": rng.uniform(-1, 1) for i in range(1, 9)}}
    doc = {"id": track_id, "uri": f"encore:local:{track_id}", "source": "local",
           "name": f"Song {n}", "artists": [{"id": artist_id(artist), "name": artist}],
           "album": {"id": album_id(artist, album), "name": album, "images": []},
           "genres": [GENRES[(n // 10) % len(GENRES)]], "explicit": False,
           "duration_ms": 180_000, "audio_url": f"/api/tracks/{track_id}/audio",
           "format": "mp3", "release_year": 1960 + n % 60, "features": {}}
    return CatalogTrack(track_id, "local", doc, location=f"0/{n // 100:04d}/{n:06d}.mp3",
                        analysis="done", features=features, updated_at=1)


async def fill(path: Path, size: int) -> list[str]:
    store = SQLiteStore(path)
    await store.open()
    rng = random.Random(size)
    ids: list[str] = []
    for start in range(0, size, 2000):
        batch = [synthetic(n, rng) for n in range(start, min(size, start + 2000))]
        await store.put_catalog_tracks(batch)  # new records keep their (analysed) features
        ids += [t.id for t in batch]
    await store.close()
    return ids


# --- feed latency -----------------------------------------------------------------------

async def feed_latency(size: int, requests: int) -> dict[str, Any]:
    from backend import create_app
    from tests.conftest import ApiClient, AuthActions

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        ids = await fill(data / "encore.sqlite3", size)
        app = create_app({"TESTING": True, "DATA_DIR": data, "ANALYSIS_WORKERS": 0})
        async with app.test_app():
            client = ApiClient(app.test_client())
            signed = await AuthActions(client).signup("bench", "correct horse")
            assert signed.status_code == 201, await signed.get_data()
            await client.patch("/api/me/settings", json={"favorite_genres": ["jazz"]})
            rng = random.Random(7)
            now = int(time.time() * 1000) - 10**6
            plays = [{"id": str(uuid.uuid4()), "track_id": rng.choice(ids),
                      "type": rng.choice(["finished", "finished", "skipped", "liked"]),
                      "position_ms": 170_000, "duration_ms": 180_000, "at": now + i * 1000}
                     for i in range(60)]
            await client.post("/api/interactions", json={"interactions": plays})
            started = time.perf_counter()
            first = await client.get("/api/feed")  # builds the node's index of the catalog
            cold = time.perf_counter() - started
            assert first.status_code == 200, await first.get_data()
            body = await first.get_json()
            assert body["source"] == "local", body["source"]
            times, cpu = [], []
            for i in range(requests):
                started, used = time.perf_counter(), time.process_time()
                answer = await client.get("/api/feed?refresh=1" if i % 2 else "/api/feed")
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - used)
                assert answer.status_code == 200
            return {"size": size, "p50": statistics.median(times) * 1000,
                    "cpu50": statistics.median(cpu) * 1000,
                    "p90": sorted(times)[int(len(times) * 0.9)] * 1000, "cold": cold * 1000,
                    "pool": len(body["pool"])}


# --- rescan of unchanged files ----------------------------------------------------------

async def rescan(size: int, sample: Path) -> dict[str, Any]:
    from backend.library.covers import CoverCache
    from backend.library.scanner import Scanner

    with tempfile.TemporaryDirectory() as tmp:
        music = Path(tmp) / "music"
        files: list[LibraryFile] = []
        started = time.perf_counter()
        for n in range(size):
            folder = music / f"{n // 100:04d}"
            if n % 100 == 0:
                folder.mkdir(parents=True)
            target = folder / f"{n:06d}.mp3"
            os.link(sample, target)  # a real MP3, 50k names: the walk is real, the bytes shared
            st = target.stat()
            files.append(LibraryFile("0", f"{n // 100:04d}/{n:06d}.mp3", st.st_size,
                                     st.st_mtime_ns, f"local-{n:020d}"))
        made = time.perf_counter() - started
        store = SQLiteStore(Path(tmp) / "data" / "encore.sqlite3")
        await store.open()
        await store.put_library_files(files)  # as a first scan leaves the index
        scanner = Scanner(store, [music], CoverCache(Path(tmp) / "covers"), True)
        started = time.perf_counter()
        result = await scanner.scan()
        seconds = time.perf_counter() - started
        await store.close()
        assert result.read == 0 and result.files == size, result
        return {"size": size, "seconds": seconds, "made": made}


async def first_scan(folder: Path) -> dict[str, Any]:
    from backend.library.covers import CoverCache
    from backend.library.scanner import Scanner

    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "encore.sqlite3")
        await store.open()
        scanner = Scanner(store, [folder], CoverCache(Path(tmp) / "covers"), True)
        started = time.perf_counter()
        result = await scanner.scan()
        seconds = time.perf_counter() - started
        await store.close()
        return {"files": result.files, "seconds": seconds}


# --- analysis ---------------------------------------------------------------------------

def make_files(folder: Path, count: int) -> list[Path]:
    from tests.library.media import chord_progression, click_track, make_track

    paths = []
    for n in range(count):
        music = 0.6 * chord_progression("CDEFGAB"[n % 7], "major" if n % 2 else "minor", 180.0)
        beat = click_track(70 + 7 * n % 100, 180.0)
        mix = music + beat
        paths.append(make_track(folder / f"a{n % 10}", f"{n:03d}", "mp3",
                                signal=0.8 * mix / max(1e-9, float(abs(mix).max())),
                                title=f"Track {n}", artist=f"Artist {n % 10}"))
    return paths


async def analysis_speed(folder: Path, workers: int) -> dict[str, Any]:
    from backend.library.analyser import Analyser
    from backend.library.covers import CoverCache
    from backend.library.scanner import Scanner

    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "encore.sqlite3")
        await store.open()
        scanner = Scanner(store, [folder], CoverCache(Path(tmp) / "covers"), True)
        await scanner.scan()
        pending = await store.catalog_ids("pending#local", limit=100_000)
        stamps: list[float] = []

        async def done(track_id: str, location: str, error: str) -> None:
            assert not error, error
            stamps.append(time.perf_counter())

        started = time.perf_counter()
        analysed = await Analyser(store, scanner.absolute, workers).run(pending, done)
        total = time.perf_counter() - started
        await store.close()
        warm = stamps[-1] - stamps[workers - 1] if len(stamps) > workers else total
        warm_rate = (len(stamps) - workers) / warm * 60 if warm > 0 else 0.0
        return {"workers": workers, "tracks": analysed, "seconds": total,
                "start": stamps[0] - started, "per_min": warm_rate,
                "thousand_min": (stamps[0] - started) / 60 + 1000 / warm_rate}


# --- memory -----------------------------------------------------------------------------

def node_memory(size: int) -> dict[str, Any]:
    from tests.servers import EncoreProcess

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        empty = Path(tmp) / "empty"
        asyncio.run(fill(data / "encore.sqlite3", size) if size else _nothing())
        process = EncoreProcess("serve", data if size else empty,
                                env={"ENCORE_ANALYSIS_WORKERS": "0"})
        process.start()
        try:
            with httpx.Client(base_url=process.url, headers={"X-Requested-With": "encore"},
                              timeout=300) as c:
                c.post("/api/auth/signup", json={"username": "bench", "password": "correct horse"})
                for _ in range(5):
                    assert c.get("/api/feed").status_code == 200
            assert process.proc is not None
            status = Path(f"/proc/{process.proc.pid}/status").read_text()
            rss = next(int(line.split()[1]) for line in status.splitlines()
                       if line.startswith("VmRSS:"))
            return {"size": size, "rss_mb": rss / 1024}
        finally:
            process.stop()


async def _nothing() -> list[str]:
    return []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--only", default="analysis,rescan,feed,memory",
                        help="comma-separated parts to run")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    sizes = [1000, 5000] if args.quick else [1000, 10_000, 50_000]
    print(f"# Library benchmark ({os.cpu_count()} cores, Python {sys.version.split()[0]})\n")

    if parts & {"analysis", "rescan"}:
        analysis_and_rescan(args.quick, sizes, parts)
    if "feed" in parts:
        feed_table(sizes, 20 if args.quick else 40)
    if "memory" in parts:
        print("\n## Web node memory (RSS after 5 feeds)\n")
        print("| catalog tracks | RSS MB |\n| ---: | ---: |")
        for size in (0, sizes[-1]):
            m = node_memory(size)
            print(f"| {m['size']:,} | {m['rss_mb']:.0f} |")


def analysis_and_rescan(quick: bool, sizes: list[int], parts: set[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "music"
        count = 6 if quick else 30
        started = time.perf_counter()
        paths = make_files(folder, count)
        print(f"made {count} 3-minute MP3s in {time.perf_counter() - started:.0f} s\n")
        scan = asyncio.run(first_scan(folder))
        print("## Tags scan (first scan, real files)\n")
        print("| files | seconds | files/s |\n| ---: | ---: | ---: |")
        rate = scan["files"] / scan["seconds"]
        print(f"| {scan['files']} | {scan['seconds']:.2f} | {rate:.0f} |\n")
        print("## Audio analysis of 3-minute MP3s (30 s excerpt each)\n")
        print("| workers | tracks | total s | worker start-up s | tracks/min (warm) | "
              "1,000 tracks (min) |\n| ---: | ---: | ---: | ---: | ---: | ---: |")
        if "analysis" in parts:
            for workers in (1, 2):
                a = asyncio.run(analysis_speed(folder, workers))
                print(f"| {workers} | {a['tracks']} | {a['seconds']:.1f} | {a['start']:.1f} | "
                      f"{a['per_min']:.0f} | {a['thousand_min']:.1f} |")
        if "rescan" not in parts:
            return
        r = asyncio.run(rescan(sizes[-1], paths[0]))
    print("\n## Rescan of unchanged files\n")
    print("| files | rescan s | files read |\n| ---: | ---: | ---: |")
    print(f"| {r['size']:,} | {r['seconds']:.1f} | 0 |")


def feed_table(sizes: list[int], requests: int) -> None:
    print("\n## Feed latency against library size (SQLite, in-process ranking)\n")
    print("| tracks | p50 ms | p90 ms | CPU ms per feed (p50) | first feed ms (index build) "
          "| pool |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    results = [asyncio.run(feed_latency(size, requests)) for size in sizes]
    for f in results:
        print(f"| {f['size']:,} | {f['p50']:.1f} | {f['p90']:.1f} | {f['cpu50']:.1f} | "
              f"{f['cold']:.0f} | {f['pool']} |")
    print(f"\np50 at {sizes[-1]:,} / p50 at {sizes[0]:,}: "
          f"{results[-1]['p50'] / results[0]['p50']:.2f}× wall, "
          f"{results[-1]['cpu50'] / results[0]['cpu50']:.2f}× CPU")


if __name__ == "__main__":
    main()
