"""A started web node's start-up objects are set aside from the garbage collector (heap.py), so a
full collection under load walks what came later, not the whole process, and young objects
are collected in larger steps. Run in a fresh Python: the test process has frozen (or not)
for whichever app started first."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.servers import REPO

START_A_NODE = """
import asyncio, gc, json, sys
from backend import create_app

async def main():
    app = create_app({"TESTING": True, "DATA_DIR": sys.argv[1]})
    async with app.test_app():
        for _ in range(500):  # the catalog's warm-up runs as a background task
            if gc.get_freeze_count():
                break
            await asyncio.sleep(0.01)
        walked = len(gc.get_objects(generation=2))  # what a full collection walks now
        print(json.dumps({"frozen": gc.get_freeze_count(), "walked": walked,
                          "young_every": gc.get_threshold()[0]}))

asyncio.run(main())
"""


def test_a_started_node_leaves_its_start_up_objects_out_of_full_collections(tmp_path: Path):
    done = subprocess.run([sys.executable, "-c", START_A_NODE, str(tmp_path / "data")],
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=True)
    heap = json.loads(done.stdout.strip().splitlines()[-1])
    assert heap["frozen"] > 50_000  # modules, pydantic's and Quart's classes, the catalog
    assert heap["walked"] < heap["frozen"] / 10
    assert heap["young_every"] > 700  # Python's default
