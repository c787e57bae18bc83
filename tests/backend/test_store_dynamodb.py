"""DynamoDB store against a private dynalite that the tests SIGKILL, stop and restart."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from backend.store import Interaction, ModelSnapshot, StoreUnavailable, User
from backend.store.dynamodb import DynamoDBStore
from tests.dynalite import Dynalite, free_port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Dynalite]:
    d = Dynalite(tmp_path / "dynalite")
    d.start()
    yield d
    d.kill()


@pytest_asyncio.fixture
async def store(server: Dynalite) -> AsyncIterator[DynamoDBStore]:
    s = DynamoDBStore(server.endpoint_url, "us-east-1", "crash_")
    await s.open()
    yield s
    await s.close()


def make(n: int, start_at: int = 1_700_000_000_000) -> list[Interaction]:
    return [Interaction(str(uuid.uuid4()), f"t{i}", "skipped", 5000, 180_000, start_at + i)
            for i in range(n)]


async def test_acknowledged_writes_survive_sigkill(server: Dynalite,
                                                   store: DynamoDBStore) -> None:
    acknowledged: list[str] = []
    for _ in range(6):
        acknowledged += (await store.put_interactions("alice", make(50))).accepted
    await store.create_user(User("alice", "h", "Alice"))
    await store.put_model(ModelSnapshot("alice", 7, b"weights", 1), 0)
    server.kill()  # no clean shutdown: only what reached the disk survives
    server.restart()
    reopened = DynamoDBStore(server.endpoint_url, "us-east-1", "crash_")
    await reopened.open()
    try:
        assert await reopened.count_interactions("alice") == 300
        stored = {i.id for i in await reopened.interactions_after("alice")}
        assert stored == set(acknowledged)
        assert await reopened.get_user("alice") is not None
        assert await reopened.get_model_version("alice") == 7
    finally:
        await reopened.close()


async def test_a_stopped_server_is_unavailable_quickly_then_recovers(
        server: Dynalite, store: DynamoDBStore) -> None:
    await store.put_interactions("alice", make(3))
    server.kill()
    calls: list[Callable[[], Awaitable[object]]] = [
        lambda: store.put_interactions("alice", make(2)),  # many requests in flight
        lambda: store.list_interactions("alice", 10)]
    for call in calls:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            await call()
        assert time.monotonic() - started < 8
    server.start()  # same path and port: the open store carries on
    assert await store.count_interactions("alice") == 3


async def test_opening_against_nothing_is_unavailable() -> None:
    s = DynamoDBStore(f"http://127.0.0.1:{free_port()}", "us-east-1", "x_")
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        await s.open()
    assert time.monotonic() - started < 8


async def test_a_claim_without_its_data_item_is_completed_on_replay(
        store: DynamoDBStore) -> None:
    # the state a crash leaves between the two writes: the id's marker, no data item
    [lost] = make(1)
    marker = {"username": {"S": "alice"}, "sk": {"S": f"ID#{lost.id}"}, "id": {"S": lost.id},
              "track_id": {"S": lost.track_id}, "type": {"S": lost.type},
              "position_ms": {"N": str(lost.position_ms)},
              "duration_ms": {"N": str(lost.duration_ms)}, "at": {"N": str(lost.at)}}
    await store._call("put_item", TableName="crash_Interactions", Item=marker)
    assert await store.count_interactions("alice") == 0  # markers are never listed
    result = await store.put_interactions("alice", [lost])  # the client's replay
    assert result.duplicates == [lost.id]
    assert await store.interactions_after("alice") == [lost]
    assert (await store.list_interactions("alice", 5)).interactions == [lost]


async def test_init_tables_creates_only_what_is_missing(store: DynamoDBStore) -> None:
    assert await store.init_tables() == []  # open() made them all
    other = DynamoDBStore(store.endpoint_url, "us-east-1", "other_")
    other._client = store._client  # an open client, before open() has made any table
    created = sorted(await other.init_tables())
    assert created == sorted(f"other_{name}" for name in other._keys)  # with the areas' tables
    assert {"other_Interactions", "other_Models", "other_Sessions", "other_SpotifyLinks",
            "other_Users", "other_Playlists"} <= set(created)
    assert await other.init_tables() == []
