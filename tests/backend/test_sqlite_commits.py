"""Group commit in the SQLite store: calls that queue up share one commit, each still is its
own transaction (one's error rolls back only its own writes), and an answer means durable."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from pathlib import Path

import pytest

from backend.store import Interaction, StoreError
from backend.store.sqlite import SQLiteStore


def one(i: int) -> list[Interaction]:
    return [Interaction(str(uuid.uuid4()), f"t{i}", "finished", 0, 1000, 1_700_000_000_000 + i)]


def stored_ids(path: Path) -> set[str]:
    """What another connection (another process, after a crash) finds in the file."""
    with sqlite3.connect(path) as other:
        return {row[0] for row in other.execute("SELECT id FROM interactions")}


async def test_concurrent_writes_share_commits_and_are_durable_when_answered(tmp_path):
    path = tmp_path / "encore.sqlite3"
    store = SQLiteStore(path)
    await store.open()
    commits: list[str] = []
    await store._run(lambda c: c.set_trace_callback(
        lambda sql: commits.append(sql) if sql == "COMMIT" else None))
    try:
        batches = [one(i) for i in range(60)]
        results = await asyncio.gather(*(store.put_interactions("ada", b) for b in batches))
        assert all(r.accepted == [b[0].id] for r, b in zip(results, batches, strict=True))
        assert stored_ids(path) == {b[0].id for b in batches}
        assert len(commits) < 30  # 60 writes, far fewer fsyncs
    finally:
        await store.close()


async def test_a_failing_call_rolls_back_only_its_own_writes(tmp_path):
    path = tmp_path / "encore.sqlite3"
    store = SQLiteStore(path)
    await store.open()
    doomed = one(1000)[0]

    def insert_then_fail(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO interactions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     ("ada", doomed.id, doomed.sort_key(), doomed.track_id, doomed.type,
                      doomed.position_ms, doomed.duration_ms, doomed.at))
        conn.execute("INSERT INTO no_such_table VALUES (1)")

    try:
        batches = [one(i) for i in range(20)]
        outcomes = await asyncio.gather(
            *(store.put_interactions("ada", b) for b in batches[:10]),
            store._run(insert_then_fail),
            *(store.put_interactions("ada", b) for b in batches[10:]),
            return_exceptions=True,
        )
        assert isinstance(outcomes[10], StoreError)
        assert not any(isinstance(o, BaseException) for o in outcomes[:10] + outcomes[11:])
        assert stored_ids(path) == {b[0].id for b in batches}  # not the doomed one
        assert [i.id for i in await store.interactions_after("ada")] == [b[0].id for b in batches]
    finally:
        await store.close()


async def test_a_unique_violation_fails_that_call_with_a_store_error(tmp_path):
    store = SQLiteStore(tmp_path / "encore.sqlite3")
    await store.open()
    try:
        await store._run(lambda c: c.execute("CREATE TABLE t (k TEXT PRIMARY KEY)"))
        await store._run(lambda c: c.execute("INSERT INTO t VALUES ('a')"))
        with pytest.raises(StoreError):
            await store._run(lambda c: c.execute("INSERT INTO t VALUES ('a')"))
        rows = await store._run(lambda c: c.execute("SELECT k FROM t").fetchall())
        assert rows == [("a",)]
    finally:
        await store.close()
