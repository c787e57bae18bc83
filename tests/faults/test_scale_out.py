"""Several web nodes and a model node sharing one DynamoDB store (dynalite) behave as one
system: what a listener does through one web node shows in the next feed from another."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import httpx
import pytest

from tests.dynalite import Dynalite
from tests.servers import EncoreProcess

from .conftest import dynamodb_env, interactions, signup, stored_ids, until

SECRET = "model-secret-for-fault-tests"


def _suggest_calls(metrics: str) -> float:
    found = re.search(r'route="/model/suggest",status="200"\} ([0-9.]+)', metrics)
    return float(found.group(1)) if found else 0.0


@pytest.mark.slow
async def test_skips_posted_through_one_web_node_change_the_next_feed_from_another(
    tmp_path: Path, dynalite_server: Dynalite, browser: httpx.AsyncClient
) -> None:
    """Two `serve` processes and one `model-node` on one dynalite, all started at once (they
    race to create the tables): a session made on A works on B; tracks skipped through A
    leave B's next pool and change B's model_version; what B stores, A lists."""
    shared = dynamodb_env(dynalite_server) | {
        "ENCORE_MODEL_SECRET": SECRET,
        "ENCORE_SECRET_KEY": "one-secret-key-for-every-node-of-this-test",
    }
    model = EncoreProcess("model-node", tmp_path / "model", shared)
    web = {"ENCORE_MODEL_URLS": model.url}
    a = EncoreProcess("serve", tmp_path / "a", shared | web)
    b = EncoreProcess("serve", tmp_path / "b", shared | web)
    nodes = [model, a, b]
    try:
        await asyncio.gather(*(asyncio.to_thread(n.start) for n in nodes))
        await signup(browser, a.url)
        first = (await browser.get(f"{b.url}/api/feed")).json()
        skipped = first["tracks"][:3]
        posted = await browser.post(f"{a.url}/api/interactions",
                                    json={"interactions": interactions(skipped, "skipped",
                                                                       int(time.time() * 1000))})
        assert posted.status_code == 200, posted.text

        async def feed_moved_on() -> dict | None:
            feed = (await browser.get(f"{b.url}/api/feed")).json()
            pool = {t["id"] for t in feed["pool"]}
            moved = feed["model_version"] != first["model_version"]
            return feed if moved and not pool & {t["id"] for t in skipped} else None

        after = await until(feed_moved_on, 10, "B's feed reflecting the skips made on A")
        assert len(after["tracks"]) == 30

        liked = interactions(after["tracks"][:2], "liked")
        assert (await browser.post(f"{b.url}/api/interactions",
                                   json={"interactions": liked})).status_code == 200
        assert {i["id"] for i in liked} <= set(await stored_ids(browser, a.url))

        async with httpx.AsyncClient() as plain:
            metrics = (await plain.get(f"{model.url}/metrics")).text
        assert _suggest_calls(metrics) >= 2, "the feeds were not ranked by the model node"
    finally:
        for node in nodes:
            node.stop()
