"""What a listener's search as you type asks of a Subsonic server: a scripted walk of the
queries the search page sends (200 ms after a pause in typing, again on Enter, again when the
listener comes back from an artist page), through a counting proxy in front of a real Supysonic
(tests/supysonic.py, tests/subsonic_proxy.py). Prints a Markdown table: per query, the
`search3` calls and all calls that reached the server and the songs found, with Encore's
search answers kept (as it runs) and, in the same run, with none kept (`TTLCache` of ttl 0).

    .venv/bin/python -m bench.subsonic_search

Call counts do not depend on the machine; no timing is printed.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any

from cachetools import TTLCache

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend import create_app  # noqa: E402
from tests.subsonic_proxy import SubsonicProxy  # noqa: E402
from tests.supysonic import SupysonicServer, make_music  # noqa: E402

WALK = [
    "ro", "rock", "rock so", "rock song",  # pauses while typing
    "rock song",  # Enter
    "rock song",  # back from an artist page
    "rock son", "rock song",  # a letter taken back and typed again
    "holm", "holm ro", "holm rock",  # her name and her songs' title word
    "holm rock",  # Enter
    "rock song",  # the search page opened again
]


async def walk(supysonic: SupysonicServer, data: Path, keep: bool) -> list[tuple[int, int, int]]:
    """(search3 calls, all calls, songs found) per query of WALK."""
    proxy = SubsonicProxy(supysonic.url)
    try:
        app = create_app({"TESTING": True, "DATA_DIR": data,
                          "SUBSONIC_ALLOWED_HOSTS": ["127.0.0.1"]})
        async with app.test_app():
            assert app.sources.subsonic is not None
            if not keep:
                app.sources.subsonic.finder._searches = TTLCache(1, 0)
            client = app.test_client()
            page = {"X-Requested-With": "encore"}
            await client.post("/api/auth/signup", headers=page,
                              json={"username": "ada", "password": "correct horse"})
            connected = await client.post("/api/subsonic/connect", headers=page, json={
                "url": proxy.url, "username": supysonic.username,
                "password": supysonic.password})
            assert connected.status_code == 200
            rows = []
            for query in WALK:
                before = len(proxy.calls)
                answer: dict[str, Any] = await (await client.get(
                    "/api/search", query_string={"q": query, "limit": 20})).get_json()
                asked = [method for method, _ in proxy.calls[before:]]
                rows.append((asked.count("search3"), len(asked), len(answer["tracks"])))
            return rows
    finally:
        proxy.close()


async def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        make_music(root / "music")
        supysonic = SupysonicServer(root / "server", root / "music").start()
        try:
            kept = await walk(supysonic, root / "kept", keep=True)
            none = await walk(supysonic, root / "none", keep=False)
        finally:
            supysonic.stop()
    print("| query | search3, answers kept | search3, none kept | all calls, kept | "
          "all calls, none kept | songs found |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for query, (k3, kall, found), (n3, nall, _) in zip(WALK, kept, none, strict=True):
        print(f"| {query} | {k3} | {n3} | {kall} | {nall} | {found} |")
    print(f"| **total** | {sum(r[0] for r in kept)} | {sum(r[0] for r in none)} | "
          f"{sum(r[1] for r in kept)} | {sum(r[1] for r in none)} | |")


if __name__ == "__main__":
    asyncio.run(main())
