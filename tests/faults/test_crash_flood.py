"""A web node SIGKILLed in the middle of a flood of interaction batches, on SQLite and on
DynamoDB (dynalite): what it acknowledged survives exactly once, and the outbox's replays
of everything else land exactly once."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import EncoreProcess

from .conftest import dynamodb_env, interactions, signup, stored_ids, until

CLIENTS = 6  # concurrent outboxes
BATCH = 20
KILL_AFTER = 15  # acknowledged batches before the SIGKILL


@pytest.fixture(params=["sqlite", "dynamodb"])
def store_env(request: pytest.FixtureRequest) -> dict[str, str]:
    # Retraining the ensemble is not under test here and would dominate two shared cores.
    quiet = {"ENCORE_TRAIN_EVERY": "100000"}
    if request.param == "sqlite":
        return quiet
    return quiet | dynamodb_env(request.getfixturevalue("dynalite_server"))


async def _flood(
    http: httpx.AsyncClient, node: EncoreProcess, tracks: list[dict[str, Any]]
) -> tuple[list[list[dict[str, Any]]], list[list[dict[str, Any]]], Counter[int]]:
    """CLIENTS outboxes post batches until the node dies under them; (acked, unacked, statuses)."""
    acked: list[list[dict[str, Any]]] = []
    unacked: list[list[dict[str, Any]]] = []
    statuses: Counter[int] = Counter()
    clock = itertools.count(int(time.time() * 1000) - 3_600_000, BATCH)

    async def outbox(k: int) -> None:
        for n in itertools.count():
            picks = [tracks[(k * 31 + n * BATCH + i) % len(tracks)] for i in range(BATCH)]
            batch = interactions(picks, "skipped" if n % 3 else "finished", next(clock))
            try:
                answer = await http.post(f"{node.url}/api/interactions",
                                         json={"interactions": batch})
            except httpx.TransportError:  # the node died: the outbox keeps the batch
                unacked.append(batch)
                return
            statuses[answer.status_code] += 1
            if answer.status_code != 200:
                unacked.append(batch)
                continue
            assert answer.json() == {"accepted": [i["id"] for i in batch], "duplicates": []}
            acked.append(batch)

    async def enough_acked() -> bool:
        return len(acked) >= KILL_AFTER

    async def killer() -> None:
        await until(enough_acked, 60, f"{KILL_AFTER} acknowledged batches")
        await asyncio.to_thread(node.kill)

    await asyncio.gather(killer(), *(outbox(k) for k in range(CLIENTS)))
    return acked, unacked, statuses


@pytest.mark.slow
async def test_sigkill_mid_flood_keeps_every_acknowledged_id_once_and_replays_land_once(
    tmp_path: Path, store_env: dict[str, str], browser: httpx.AsyncClient
) -> None:
    """Acknowledged means durable: after a SIGKILL mid-flood and a restart on the same store,
    every acknowledged id is stored exactly once; replaying every unacknowledged batch (and a
    few acknowledged ones, as a retrying outbox would) stores each id sent exactly once."""
    node = EncoreProcess("serve", tmp_path / "node", store_env).start()
    try:
        await signup(browser, node.url)
        tracks = (await browser.get(f"{node.url}/api/feed", params={"pool": 200})).json()["pool"]
        acked, unacked, statuses = await _flood(browser, node, tracks)
        assert len(acked) >= KILL_AFTER and len(unacked) >= CLIENTS
        assert set(statuses) == {200}, f"the node answered errors under load: {statuses}"

        await asyncio.to_thread(node.start)  # same port, same data dir / tables
        after_crash = Counter(await stored_ids(browser, node.url))
        acked_ids = {i["id"] for batch in acked for i in batch}
        assert acked_ids <= set(after_crash), "an acknowledged interaction was lost"
        assert max(after_crash.values()) == 1, "an interaction was stored twice"

        for batch in unacked:  # what the outboxes still hold
            answer = await browser.post(f"{node.url}/api/interactions",
                                        json={"interactions": batch})
            assert answer.status_code == 200, answer.text
            body = answer.json()
            assert sorted(body["accepted"] + body["duplicates"]) == sorted(i["id"] for i in batch)
        for batch in acked[:3]:  # a retry whose first answer was lost on the way back
            replay = await browser.post(f"{node.url}/api/interactions",
                                        json={"interactions": batch})
            assert replay.json() == {"accepted": [], "duplicates": [i["id"] for i in batch]}

        sent = {i["id"] for batch in acked + unacked for i in batch}
        final = Counter(await stored_ids(browser, node.url))
        assert set(final) == sent and max(final.values()) == 1
        assert len(final) == (len(acked) + len(unacked)) * BATCH
    finally:
        node.stop()
