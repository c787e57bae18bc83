"""Two model nodes training one user at once: the snapshot a node saves is conditional on the
version it trained from, so the one that saves second reloads the other's snapshot instead of
overwriting it (no last-writer-wins), and both nodes end up with the same model. A snapshot
saved as another node erased its account goes with the account, and belongs to that account,
not to the name, should it stay."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import shared_model
from backend import create_app, model_service
from backend.catalog.demo import demo_catalog
from backend.store import Correction, Interaction, ModelSnapshot, Store, User
from tests.api.conftest import listen
from tests.backend.test_store_account import every_row
from tests.conftest import ApiClient, AuthActions
from tests.dynalite import Dynalite, dynalite_server, store_settings  # noqa: F401
from tests.plays import plays


class SaveGate:
    """The node's real store, except that saving a snapshot waits until the test says so (and
    with `stop_after_saving`, the node stops just after: the test cancels its training)."""

    def __init__(self, inner: Store, stop_after_saving: bool = False) -> None:
        self.inner = inner
        self.reached, self.opened, self.saved = asyncio.Event(), asyncio.Event(), asyncio.Event()
        self.stop_after_saving = stop_after_saving

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def put_model(self, snapshot: ModelSnapshot, expected_version: int) -> None:
        self.reached.set()
        await self.opened.wait()
        await self.inner.put_model(snapshot, expected_version)
        self.saved.set()
        if self.stop_after_saving:
            await asyncio.Event().wait()  # until cancelled


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


OLD_ACCOUNT = 1_600_000_000_000  # its created_at


@pytest.mark.parametrize("stops", [False, True], ids=["b-checks-again", "b-stops-after-saving"])
async def test_a_snapshot_saved_as_another_node_erased_the_account_is_not_the_next_holders(
    tmp_path: Path, shared_store: dict[str, str], monkeypatch: pytest.MonkeyPatch, stops: bool
):
    """Node B checks the account is still there and saves its snapshot; node A erases the
    account between the two (nodes share no lock). B, checking again, deletes it; should B stop
    first, it outlives the account. Either way whoever signs up under the name next starts
    fresh on every node (not with the old plays and blocks), and their own trainings save and
    load as any account's do."""
    monkeypatch.setattr(model_service, "CATCH_UP_EVERY_S", 0.0)  # each answer asks the store
    config = {"TESTING": True, "DATA_DIR": tmp_path / "shared", "TRAIN_EVERY": 1000,
              **shared_store}
    node_a, node_b = create_app(config), create_app(config)  # two nodes on one store
    async with node_a.test_app(), node_b.test_app():
        store = node_b.store
        await store.create_user(User("ada", "unused", "Ada", created_at=OLD_ACCOUNT))
        await store.put_interactions("ada", _batch("jazz", "metal", 1_700_000_000_000))
        await store.put_correction("ada", Correction("c1", "block", "demo-ar-007",
                                                     1_700_000_500_000))
        a, b = node_a.models.local, node_b.models.local
        await b.subscribe("ada")

        gate = SaveGate(b.store, stop_after_saving=stops)
        b.store = gate
        training_b = asyncio.create_task(b._train("ada"))
        await gate.reached.wait()  # B found the account there; its save is on its way
        await a.erase_account("ada")
        gate.opened.set()
        await gate.saved.wait()
        if stops:
            training_b.cancel()  # before it could check the account again
        await asyncio.gather(training_b, return_exceptions=True)
        b.store = gate.inner  # (back up, if it stopped)
        left = await store.get_model("ada")
        assert (left is not None) == stops  # saved after the erasure; gone unless B stopped

        client = ApiClient(node_b.test_client())
        assert (await AuthActions(client).signup("ada", "another password")).status_code == 201
        served = (await (await client.get("/api/model")).get_json())["snapshot"]
        _, on_a = await a.snapshot("ada")
        for model in (served, on_a):  # B had the old model cached, A loads from the store
            assert model["interactions"] == 0 and model["recent_plays"] == []
            assert model["ensemble"] is None and model["taste"]["blocked"] == {}
        taste = await (await client.get("/api/me/taste")).get_json()
        assert taste["learned_from"] == 0
        exported = await (await client.get("/api/me/export")).get_json()
        assert exported["taste"]["model"] is None

        await listen(client, *[i.to_dict() for i in _batch("folk", "rock", 1_760_000_000_000)])
        await b._train("ada")  # the new account's first training replaces the old snapshot
        saved = await store.get_model("ada")
        new_account = await store.get_user("ada")
        assert saved is not None and new_account is not None
        assert saved.version == (left.version if left else 0) + 1  # it replaced the old one
        assert saved.owner_created_at == new_account.created_at != OLD_ACCOUNT
        model = shared_model.decode(saved.blob)
        assert model.interactions == await store.count_interactions("ada") > 0
        assert model.ensemble is not None
        _, on_a = await a.snapshot("ada")
        _, on_b = await b.snapshot("ada")
        assert on_a == on_b == model.to_dict()  # loaded on both nodes as their own


async def test_a_snapshot_saved_in_the_middle_of_a_dynamodb_erasure_goes_with_it(
    tmp_path: Path, dynalite_server: Dynalite  # noqa: F811
):
    """DynamoDB erases table by table, the account last: a snapshot node B saves after the
    Models item went but before the account did (so B's check after saving still finds the
    account) is deleted once more after the account."""
    config = {"TESTING": True, "DATA_DIR": tmp_path / "shared", "TRAIN_EVERY": 1000,
              "STORE": "dynamodb", "DYNAMODB_ENDPOINT": dynalite_server.endpoint_url,
              "DYNAMODB_TABLE_PREFIX": "mid_erasure_"}
    node_a, node_b = create_app(config), create_app(config)
    async with node_a.test_app(), node_b.test_app():
        store = node_b.store
        await store.create_user(User("ada", "unused", "Ada", created_at=OLD_ACCOUNT))
        await store.put_interactions("ada", _batch("jazz", "metal", 1_700_000_000_000))
        a, b = node_a.models.local, node_b.models.local
        await b.subscribe("ada")
        erasing = node_a.store
        call, at_account, go_on = erasing._call, asyncio.Event(), asyncio.Event()

        async def held(op: str, **kwargs: Any) -> dict[str, Any]:
            if op == "delete_item" and kwargs["TableName"] == erasing._t("Users"):
                at_account.set()  # everything else of ada's is gone
                await go_on.wait()
            return await call(op, **kwargs)

        erasing._call = held  # type: ignore[method-assign]
        gate = SaveGate(b.store)
        b.store = gate
        training_b = asyncio.create_task(b._train("ada"))
        await gate.reached.wait()  # B found the account there; its save is on its way
        erasure = asyncio.create_task(a.erase_account("ada"))
        await at_account.wait()
        gate.opened.set()
        await training_b
        assert await store.get_model("ada") is not None  # saved after the Models item went
        go_on.set()
        await erasure
        assert [row for _, row in await every_row(store) if "'ada'" in row] == []
