"""A web node killed outright (SIGKILL: no shutdown runs) leaves no training worker behind:
the worker processes it spawned end on their own within seconds."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx

from tests.servers import EncoreProcess

from .conftest import interactions, signup, until


def _children(pid: int) -> set[int]:
    """The live child processes of `pid` (Linux /proc), zombies left out."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return {c for c in found if _alive(c)}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


async def test_a_killed_node_leaves_no_training_worker_running(
        tmp_path: Path, browser: httpx.AsyncClient) -> None:
    node = EncoreProcess("serve", tmp_path, env={"ENCORE_TRAIN_EVERY": "10"}).start()
    try:
        await signup(browser, node.url)
        pool = (await browser.get(f"{node.url}/api/feed?limit=30&pool=200")).json()["pool"]
        at = int(time.time() * 1000) - 3_600_000
        sent = await browser.post(f"{node.url}/api/interactions",
                                  json={"interactions": interactions(pool[:30], at=at)})
        assert sent.status_code == 200

        async def workers() -> set[int]:
            await browser.get(f"{node.url}/api/feed")  # a catch-up starts the training
            return _children(node.proc.pid) if node.proc else set()

        spawned = await until(workers, within_s=60, what="a training worker")
        assert node.proc is not None
        os.kill(node.proc.pid, signal.SIGKILL)
        node.proc.wait()

        async def gone() -> bool:
            return not any(_alive(pid) for pid in spawned)

        await until(gone, within_s=15, what="the orphaned workers ending")
    finally:
        node.stop()
