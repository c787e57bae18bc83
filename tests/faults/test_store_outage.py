"""The store unreachable for a while (dynalite stopped under a running web node): interaction
posts answer 503 with Retry-After, so the outbox keeps them; /healthz says "degraded"; when
the store returns, the same node recovers on its own and the kept batches land."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.dynalite import Dynalite
from tests.servers import EncoreProcess

from .conftest import dynamodb_env, interactions, signup, stored_ids, until

ANSWER_WITHIN_S = 12.0  # a 503 must come in seconds, not hang the outbox


@pytest.mark.slow
async def test_store_outage_answers_503_with_retry_after_and_recovers_without_restart(
    tmp_path: Path, browser: httpx.AsyncClient
) -> None:
    """While DynamoDB is down: posts get 503 store_unavailable + Retry-After (never 500, never a
    hang), /healthz answers 503 "degraded"; once it is back, /healthz is ok again and the
    batches the client kept are stored, on the node that never restarted."""
    store = Dynalite(tmp_path / "dynalite")
    store.start()
    node = EncoreProcess("serve", tmp_path / "node", dynamodb_env(store)).start()
    try:
        await signup(browser, node.url)
        tracks = (await browser.get(f"{node.url}/api/feed")).json()["tracks"]
        before = interactions(tracks[:10])
        assert (await browser.post(f"{node.url}/api/interactions",
                                   json={"interactions": before})).status_code == 200

        await asyncio.to_thread(store.kill)
        kept = [interactions(tracks[10:20], "skipped"), interactions(tracks[20:30])]
        for batch in kept:
            started = time.monotonic()
            answer = await browser.post(f"{node.url}/api/interactions",
                                        json={"interactions": batch})
            assert time.monotonic() - started < ANSWER_WITHIN_S
            assert answer.status_code == 503, answer.text
            assert answer.json()["error"]["code"] == "store_unavailable"
            assert int(answer.headers["Retry-After"]) > 0
        health = await browser.get(f"{node.url}/healthz")
        assert health.status_code == 503
        assert health.json()["status"] == "degraded"
        assert health.json()["store"]["reachable"] is False
        feed = await browser.get(f"{node.url}/api/feed")
        assert feed.status_code == 503 and feed.json()["error"]["code"] == "store_unavailable"

        await asyncio.to_thread(store.start)  # same port, same data

        async def healthy() -> bool:
            return (await browser.get(f"{node.url}/healthz")).status_code == 200

        await until(healthy, 20, "/healthz ok after the store returned")
        for batch in kept:  # the outbox flushes what it kept
            answer = await browser.post(f"{node.url}/api/interactions",
                                        json={"interactions": batch})
            assert answer.status_code == 200, answer.text
            assert answer.json()["accepted"] == [i["id"] for i in batch]
        stored = Counter(await stored_ids(browser, node.url))
        assert set(stored) == {i["id"] for b in [before, *kept] for i in b}
        assert max(stored.values()) == 1
        assert (await browser.get(f"{node.url}/api/feed")).status_code == 200
    finally:
        node.stop()
        store.kill()


@pytest.mark.slow
async def test_hung_store_fails_health_fast_and_posts_within_seconds(
    tmp_path: Path, browser: httpx.AsyncClient
) -> None:
    """A store that accepts connections but never answers (dynalite frozen with SIGSTOP):
    /healthz reports "degraded" within a load balancer's check timeout, posts answer 503 with
    Retry-After in bounded time, and all is well again once the store thaws."""
    store = Dynalite(tmp_path / "dynalite")
    store.start()
    node = EncoreProcess("serve", tmp_path / "node", dynamodb_env(store)).start()
    assert store._proc is not None
    pid = store._proc.pid
    try:
        await signup(browser, node.url)
        tracks = (await browser.get(f"{node.url}/api/feed")).json()["tracks"]
        os.kill(pid, signal.SIGSTOP)
        started = time.monotonic()
        health = await browser.get(f"{node.url}/healthz")
        assert health.status_code == 503 and health.json()["status"] == "degraded"
        assert time.monotonic() - started < 4.0
        kept = interactions(tracks[:10])
        started = time.monotonic()
        answer = await browser.post(f"{node.url}/api/interactions", json={"interactions": kept})
        assert answer.status_code == 503 and "Retry-After" in answer.headers
        assert time.monotonic() - started < 20.0  # read timeout x attempts, with backoff
        os.kill(pid, signal.SIGCONT)

        async def healthy() -> bool:
            return (await browser.get(f"{node.url}/healthz")).status_code == 200

        await until(healthy, 20, "/healthz ok after the store thawed")
        answer = await browser.post(f"{node.url}/api/interactions", json={"interactions": kept})
        assert answer.status_code == 200
        assert sorted(await stored_ids(browser, node.url)) == sorted(i["id"] for i in kept)
    finally:
        os.kill(pid, signal.SIGCONT)
        node.stop()
        store.kill()
