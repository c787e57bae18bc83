"""A model node that freezes (SIGSTOP) or dies (SIGKILL) costs one feed its timeout, not every
feed: the web node marks it down, sends the next feeds straight to the next node, and a health
probe brings it back once it answers again. Real processes: one web node, two model nodes."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backend.model_client import node_order
from tests.servers import EncoreProcess

from .conftest import signup, until

SECRET = "model-secret-for-freeze-tests"
FEEDS_WHILE_DOWN = 5


def node_calls(metrics: str, node: str, outcome: str) -> int:
    """The web node's count of calls to `node` that ended in `outcome`."""
    pattern = (r'encore_model_node_calls_total\{node="' + re.escape(node)
               + r'",outcome="' + outcome + r'"\} ([0-9.e+]+)')
    found = re.search(pattern, metrics)
    return int(float(found.group(1))) if found else 0


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[EncoreProcess, list[EncoreProcess]]]:
    data = tmp_path / "shared"  # one SQLite file for every node
    models = [EncoreProcess("model-node", data, {"ENCORE_MODEL_SECRET": SECRET})
              for _ in range(2)]
    web = EncoreProcess("serve", data, {
        "ENCORE_MODEL_SECRET": SECRET,
        "ENCORE_MODEL_URLS": ",".join(m.url for m in models),
        "ENCORE_MODEL_TIMEOUT_S": "2",
    })
    try:
        for process in [*models, web]:
            process.start()
        yield web, models
    finally:
        for process in [web, *models]:
            if process.proc and process.proc.poll() is None:
                os.kill(process.proc.pid, signal.SIGCONT)  # a stopped process ignores SIGTERM
            process.stop()


async def _feeds(browser: httpx.AsyncClient, web: EncoreProcess, count: int) -> None:
    for _ in range(count):
        feed = await browser.get(f"{web.url}/api/feed")
        assert feed.status_code == 200, feed.text
        assert len(feed.json()["tracks"]) == 30


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["SIGSTOP", "SIGKILL"])
async def test_a_failed_model_node_costs_one_timeout_then_is_skipped_until_it_answers(
    cluster: tuple[EncoreProcess, list[EncoreProcess]], browser: httpx.AsyncClient, fault: str
) -> None:
    web, models = cluster
    await signup(browser, web.url)
    first_url, second_url = node_order("ada", [m.url for m in models])
    first = next(m for m in models if m.url == first_url)

    async def metrics() -> str:
        async with httpx.AsyncClient() as plain:
            return (await plain.get(f"{web.url}/metrics")).text

    await _feeds(browser, web, 1)
    assert node_calls(await metrics(), first_url, "ok") == 1  # the user's own node ranks

    assert first.proc is not None
    if fault == "SIGSTOP":
        os.kill(first.proc.pid, signal.SIGSTOP)  # accepts connections, never answers
    else:
        first.kill()
    before = await metrics()
    await _feeds(browser, web, FEEDS_WHILE_DOWN)
    after = await metrics()
    failure = "timeout" if fault == "SIGSTOP" else "error"
    # One feed met the failure (waited the timeout when frozen); the others skipped the node.
    assert node_calls(after, first_url, failure) == 1
    assert node_calls(after, first_url, "skipped") >= FEEDS_WHILE_DOWN - 1
    served = node_calls(after, second_url, "ok") - node_calls(before, second_url, "ok")
    assert served == FEEDS_WHILE_DOWN  # every feed was still ranked by a model node

    if fault == "SIGSTOP":
        os.kill(first.proc.pid, signal.SIGCONT)
    else:
        await asyncio.to_thread(first.start)  # the same port again

    async def back() -> bool:
        await _feeds(browser, web, 1)
        return node_calls(await metrics(), first_url, "ok") > 1

    await until(back, 40, "the recovered node ranking feeds again")
    final = await metrics()
    assert node_calls(final, first_url, failure) == 1  # the probe, not a feed, found it back
