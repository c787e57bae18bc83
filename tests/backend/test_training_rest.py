"""A flood of plays from one listener does not keep a training worker fitting their forest back
to back: one training at a time for the user, and between two of them a rest as long as the
last one took (at most TRAIN_REST_MAX_S: the first, in a cold pool, is slow). Stamps are
compared for their order only; nothing here asserts a speed."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from backend.catalog.demo import demo_catalog
from backend.model_service import TRAIN_REST_MAX_S
from tests.plays import plays


@pytest.fixture
def app_config(tmp_path: Path) -> dict:
    return {"TESTING": True, "DATA_DIR": tmp_path / "data", "TRAIN_EVERY": 10}


async def test_a_flood_trains_one_user_at_a_time_with_rests_as_long_as_the_trainings(
    app, client, auth
):
    await auth.signup()
    service = app.models.local
    runs: list[tuple[float, float]] = []
    running = 0
    train = service.trainer.run

    async def stamped(fn: Any, *args: Any) -> Any:
        nonlocal running
        running += 1
        assert running == 1, "two trainings of one user at once"
        start = time.monotonic()
        try:
            return await train(fn, *args)
        finally:
            runs.append((start, time.monotonic()))
            running -= 1

    service.trainer.run = stamped
    tracks = demo_catalog()[:300]
    start_ms = int(time.time() * 1000) - 3_600_000
    deadline = time.monotonic() + 120
    sent = 0
    while len(runs) < 3:  # plays keep coming, always enough for another training
        assert time.monotonic() < deadline, f"only {len(runs)} trainings"
        batch = plays(tracks[sent % 290:sent % 290 + 10], "finished" if sent % 20 else "skipped",
                      start_ms=start_ms + sent * 1000)
        answer = await client.post("/api/interactions", json={"interactions": batch})
        assert answer.status_code == 200
        sent += len(batch)
        await asyncio.sleep(0.02)
    for (start, end), (next_start, _) in zip(runs, runs[1:], strict=False):
        rest = min(end - start, TRAIN_REST_MAX_S)
        assert next_start >= end + rest, "the next training did not wait its turn"
