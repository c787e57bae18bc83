"""Two model nodes training one user at once: the snapshot a node saves is conditional on the
version it trained from, so the one that saves second reloads the other's snapshot instead of
overwriting it (no last-writer-wins), and both nodes end up with the same model."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import shared_model
from backend import create_app
from backend.catalog.demo import demo_catalog
from backend.store import Interaction, ModelSnapshot, Store, User
from tests.dynalite import dynalite_server, store_settings  # noqa: F401
from tests.plays import plays


class SaveGate:
    """The node's real store, except that saving a snapshot waits until the test says so."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.reached, self.opened = asyncio.Event(), asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def put_model(self, snapshot: ModelSnapshot, expected_version: int) -> None:
        self.reached.set()
        await self.opened.wait()
        await self.inner.put_model(snapshot, expected_version)


def _batch(genre_a: str, genre_b: str, start_ms: int) -> list[Interaction]:
    liked = [t for t in demo_catalog() if t["genres"][0] == genre_a][:15]
    skipped = [t for t in demo_catalog() if t["genres"][0] == genre_b][:15]
    return [Interaction(**i) for i in plays(liked, start_ms=start_ms)
            + plays(skipped, "skipped", start_ms=start_ms + 100_000)]


@pytest.fixture(params=["sqlite", "dynamodb"])
def shared_store(request: pytest.FixtureRequest) -> dict[str, str]:
    return store_settings(request)


async def test_the_node_that_saves_second_reloads_the_first_ones_snapshot(
    tmp_path: Path, shared_store: dict[str, str]
):
    config = {"TESTING": True, "DATA_DIR": tmp_path / "shared", "TRAIN_EVERY": 1000,
              **shared_store}
    node_a, node_b = create_app(config), create_app(config)  # two nodes on one store
    async with node_a.test_app(), node_b.test_app():
        store = node_b.store
        await store.create_user(User("ada", "unused", "Ada"))
        await store.put_interactions("ada", _batch("jazz", "metal", 1_700_000_000_000))
        a, b = node_a.models.local, node_b.models.local
        await a.subscribe("ada")
        await b.subscribe("ada")

        gate = SaveGate(a.store)
        a.store = gate
        training_a = asyncio.create_task(a._train("ada"))
        await gate.reached.wait()  # A trained on the first 30, about to save version 1
        await store.put_interactions("ada", _batch("folk", "techno", 1_700_001_000_000))
        b.stale("ada")
        await b._train("ada")  # B, having seen them all, saves version 1 first
        saved_by_b = await store.get_model("ada")
        assert saved_by_b is not None and saved_by_b.version == 1
        gate.opened.set()
        await training_a

        assert await store.get_model("ada") == saved_by_b  # A did not overwrite it
        model = shared_model.decode(saved_by_b.blob)
        assert model.interactions == await store.count_interactions("ada") > 30  # B saw all
        _, on_a = await a.snapshot("ada")
        _, on_b = await b.snapshot("ada")
        assert on_a == on_b == model.to_dict()  # A took B's snapshot instead of keeping its own
