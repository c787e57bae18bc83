"""What only the SQLite store promises: one file that outlives the process using it."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from pathlib import Path

import pytest

from backend.config import Settings
from backend.store import Interaction, ModelSnapshot, StoreUnavailable, User, make_store
from backend.store.sqlite import SQLiteStore


def make(n: int) -> list[Interaction]:
    return [Interaction(str(uuid.uuid4()), f"t{i}", "liked", 0, 1000, 1_700_000_000_000 + i)
            for i in range(n)]


async def test_data_survives_closing_and_reopening(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "encore.sqlite3"  # parents are created
    store = make_store(Settings(store="sqlite", data_dir=path.parent))
    assert isinstance(store, SQLiteStore)
    await store.open()
    items = make(30)
    await store.put_interactions("alice", items)
    await store.create_user(User("alice", "h", "Alice"))
    await store.put_model(ModelSnapshot("alice", 3, b"blob", 9), 0)
    await store.close()

    again = SQLiteStore(path)
    await again.open()
    try:
        assert await again.interactions_after("alice") == items
        assert await again.get_user("alice") is not None
        assert await again.get_model_version("alice") == 3
        replay = await again.put_interactions("alice", items[:5])
        assert replay.duplicates == [i.id for i in items[:5]]
    finally:
        await again.close()


async def test_wal_full_sync_and_commits_are_visible_to_other_readers(
        tmp_path: Path) -> None:
    path = tmp_path / "encore.sqlite3"
    store = SQLiteStore(path)
    await store.open()
    try:
        await store.put_interactions("alice", make(4))
        assert await store._run(lambda c: c.execute("PRAGMA synchronous").fetchone()[0]) == 2
        # another process (here: another connection) sees acknowledged writes at once
        with sqlite3.connect(path) as other:
            assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert other.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 4
        other.close()
    finally:
        await store.close()


async def test_concurrent_calls_are_serialised_safely(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "encore.sqlite3")
    await store.open()
    try:
        batches = [make(20) for _ in range(10)]
        results = await asyncio.gather(*(store.put_interactions("alice", b) for b in batches))
        assert sum(len(r.accepted) for r in results) == 200
        assert await store.count_interactions("alice") == 200
    finally:
        await store.close()


async def test_an_unusable_path_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data dir should be")
    store = SQLiteStore(blocker / "encore.sqlite3")
    with pytest.raises(StoreUnavailable):
        await store.open()
    with pytest.raises(StoreUnavailable):
        await store.ping()


async def test_a_file_from_before_snapshots_named_their_account_opens_and_keeps_them(
        tmp_path: Path) -> None:
    path = tmp_path / "encore.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE models (username TEXT PRIMARY KEY, version INTEGER NOT NULL,"
                    " blob BLOB NOT NULL, updated_at INTEGER NOT NULL)")
        old.execute("INSERT INTO models VALUES ('alice', 4, x'00', 5)")
    old.close()
    for _ in range(2):  # and opening it again finds the column there
        store = SQLiteStore(path)
        await store.open()
        await store.close()
    store = SQLiteStore(path)
    await store.open()
    try:
        assert await store.get_model("alice") == ModelSnapshot("alice", 4, b"\x00", 5, None)
        await store.put_model(ModelSnapshot("alice", 5, b"\x01", 6, 7), 4)
        assert await store.get_model("alice") == ModelSnapshot("alice", 5, b"\x01", 6, 7)
    finally:
        await store.close()
