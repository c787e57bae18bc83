"""Trainings off the serving process: the pool gives what training in-process gives, and a
user's triggers coalesce into one training."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

import shared_model
from backend import training
from backend.catalog.demo import demo_catalog
from backend.training_pool import TrainingPool
from tests.plays import plays

SETTINGS = dict(shared_model.DEFAULT_SETTINGS)


def _history() -> tuple[list[dict], dict[str, dict]]:
    tracks = demo_catalog()[:90]
    liked = [t for t in tracks if t["features"]["energy"] >= 0.5]
    other = [t for t in tracks if t["features"]["energy"] < 0.5]
    history = plays(liked, start_ms=1_700_000_000_000) + plays(
        other, "skipped", start_ms=1_700_000_500_000
    )
    return history, {t["id"]: t for t in tracks}


async def test_a_training_in_the_pool_exports_the_same_forest_as_in_process():
    history, tracks = _history()
    examples = shared_model.training_examples(history, tracks, SETTINGS)
    in_process = training.train_ensemble(examples)
    assert in_process is not None
    pool = TrainingPool(1)
    try:
        exported, trained_on = await pool.train_recent(history, tracks, SETTINGS)
        rebuilt = await pool.rebuild(history, tracks, SETTINGS)
    finally:
        pool.close()
    assert exported == in_process  # every threshold and leaf value, to the bit
    assert trained_on == len(examples)
    assert rebuilt.to_dict() == training.rebuild_model(history, tracks, SETTINGS).to_dict()


@pytest.fixture
def app_config(tmp_path: Path) -> dict:
    # Trainings only when asked for: the test triggers them itself.
    return {"TESTING": True, "DATA_DIR": tmp_path / "data", "TRAIN_EVERY": 100_000}


async def test_ten_triggers_while_one_is_pending_make_one_training(app, client, auth):
    await auth.signup()
    history, _ = _history()
    await client.post("/api/interactions", json={"interactions": history})
    service = app.models.local
    await service.subscribe("ada")
    for _ in range(10):
        service.schedule_training("ada")
    deadline = time.monotonic() + 60
    while service.training():
        assert time.monotonic() < deadline, "the training never finished"
        await asyncio.sleep(0.05)
    assert service.trainer.started == 1
    stored = await app.store.get_model("ada")
    assert stored is not None and stored.version == 1
    assert shared_model.decode(stored.blob).trained_on == len(history)


async def test_a_flood_of_interactions_is_learned_completely(app, client, auth):
    await auth.signup()
    tracks = demo_catalog()[:40]
    batches = [plays([t], start_ms=1_700_000_000_000 + i * 1000) for i, t in enumerate(tracks)]
    answers = await asyncio.gather(
        *(client.post("/api/interactions", json={"interactions": b}) for b in batches)
    )
    assert all(a.status_code == 200 for a in answers)
    last = max(shared_model.sort_key(b[0]) for b in batches)

    async def learned() -> bool:
        _, snapshot = await app.models.local.snapshot("ada")
        return snapshot["applied_through"] == last and snapshot["interactions"] == 40

    deadline = time.monotonic() + 30
    while not await learned():
        assert time.monotonic() < deadline, "the flood was not learned"
        await asyncio.sleep(0.05)
