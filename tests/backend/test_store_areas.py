"""Areas mixed into the stores (backend/store/areas.py) get their tables on open()."""

from __future__ import annotations

import itertools
from pathlib import Path

from backend.store.areas import DynamoArea, SQLiteArea, n, s
from backend.store.dynamodb import DynamoDBStore
from backend.store.sqlite import SQLiteStore
from tests.dynalite import Dynalite, dynalite_server  # noqa: F401

_prefixes = itertools.count()


class _NotesSQLite(SQLiteArea):
    SCHEMA = "CREATE TABLE IF NOT EXISTS notes (username TEXT PRIMARY KEY, text TEXT NOT NULL);"

    async def put_note(self, username: str, text: str) -> None:
        await self._run(lambda c: c.execute("INSERT OR REPLACE INTO notes VALUES (?, ?)",
                                            (username, text)))

    async def get_note(self, username: str) -> str | None:
        row = await self._run(lambda c: c.execute(
            "SELECT text FROM notes WHERE username = ?", (username,)).fetchone())
        return None if row is None else str(row[0])


class _NotesDynamo(DynamoArea):
    TABLES = {"Notes": [("username", "HASH")]}

    async def put_note(self, username: str, text: str) -> None:
        await self._call("put_item", TableName=self._t("Notes"),
                         Item={"username": s(username), "text": s(text), "n": n(1)})

    async def get_note(self, username: str) -> str | None:
        item = await self._get("Notes", {"username": s(username)})
        return None if item is None else str(item["text"]["S"])


class _SQLiteWithNotes(_NotesSQLite, SQLiteStore):
    pass


class _DynamoWithNotes(_NotesDynamo, DynamoDBStore):
    pass


async def test_an_sqlite_area_gets_its_table_beside_the_stores_own(tmp_path: Path) -> None:
    store = _SQLiteWithNotes(tmp_path / "encore.sqlite3")
    await store.open()
    try:
        await store.put_note("ada", "hello")
        assert await store.get_note("ada") == "hello"
        assert await store.get_user("ada") is None  # the store's own tables are there too
    finally:
        await store.close()


async def test_a_dynamodb_area_gets_its_prefixed_table(dynalite_server: Dynalite) -> None:  # noqa: F811
    prefix = f"areas{next(_prefixes)}_"
    store = _DynamoWithNotes(dynalite_server.endpoint_url, "us-east-1", prefix)
    await store.open()
    try:
        await store.put_note("ada", "hello")
        assert await store.get_note("ada") == "hello"
        tables = (await store._call("list_tables"))["TableNames"]
        assert f"{prefix}Notes" in tables and f"{prefix}Users" in tables
    finally:
        await store.close()
