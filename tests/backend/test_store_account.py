"""Store contract for the account as a whole: ending every session but one, and erasing a user
from every table (checked by reading every row of every table), on SQLite and DynamoDB."""

from __future__ import annotations

import sqlite3
import time
import uuid
from typing import Any

from backend.store import (
    Correction,
    Interaction,
    Like,
    ModelSnapshot,
    Playlist,
    Session,
    SpotifyLink,
    Store,
    User,
)
from backend.store.dynamodb import DynamoDBStore
from backend.store.sqlite import SQLiteStore
from tests.backend.test_store import store  # noqa: F401  (the both-stores fixture)
from tests.dynalite import dynalite_server  # noqa: F401

AT = 1_700_000_000_000


async def every_row(store: Store) -> list[tuple[str, str]]:  # noqa: F811
    """(table, row as text) for every row of every table the store has."""
    rows: list[tuple[str, str]] = []
    if isinstance(store, SQLiteStore):
        with sqlite3.connect(store.path) as conn:
            tables = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                rows += [(table, repr(r)) for r in conn.execute(f'SELECT * FROM "{table}"')]
        return rows
    assert isinstance(store, DynamoDBStore)
    names = (await store._call("list_tables"))["TableNames"]
    for name in [t for t in names if t.startswith(store.table_prefix)]:
        kwargs: dict[str, Any] = {"TableName": name}
        while True:
            out = await store._call("scan", **kwargs)
            rows += [(name, repr(item)) for item in out["Items"]]
            if "LastEvaluatedKey" not in out:
                break
            kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]
    return rows


async def _everything(store: Store, username: str) -> None:  # noqa: F811
    now = int(time.time())
    await store.create_user(User(username, "hash", username.title(), {"exploration": 0.2}, AT))
    for n in range(3):
        await store.put_session(Session(f"{username}-sid-{n}", username, now + 3600, {"n": n}))
    await store.put_interactions(username, [
        Interaction(str(uuid.uuid4()), f"demo-{i:04d}", "finished", 1000, 2000, AT + i)
        for i in range(30)])
    await store.put_model(ModelSnapshot(username, 1, b"weights", AT), 0)
    await store.put_spotify_link(SpotifyLink(username, b"enc-access", b"enc-refresh", now,
                                             "streaming", "sp-" + username, "Sp", "premium"))
    await store.put_likes(username, [Like("demo-0001", AT), Like("demo-0002", AT + 1)])
    await store.create_playlist(username, Playlist(f"{username}-pl", "Mix", 1, ["demo-0001"],
                                                   AT, AT))
    await store.put_correction(username, Correction(f"{username}-c1", "block", "demo-ar-001",
                                                    AT))
    await store.take_attempt(f"user:{username}", 5, 60.0, time.time())  # a sign-in counted


async def test_a_password_change_ends_every_other_session(store: Store) -> None:  # noqa: F811
    now = int(time.time())
    for sid in ("a1", "a2", "a3"):
        await store.put_session(Session(sid, "ada", now + 3600))
    await store.put_session(Session("b1", "bob", now + 3600))
    assert await store.delete_user_sessions("ADA", keep="a2") == 2
    assert await store.get_session("a1") is None and await store.get_session("a3") is None
    assert await store.get_session("a2") is not None
    assert await store.get_session("b1") is not None
    assert await store.delete_user_sessions("ada") == 1
    assert await store.get_session("a2") is None


async def test_erasing_a_user_leaves_no_row_of_theirs_in_any_table(store: Store) -> None:  # noqa: F811
    await _everything(store, "zelda")
    await _everything(store, "bob")
    held = {table.lower() for table, row in await every_row(store) if "zelda" in row.lower()}
    # users, sessions, interactions, models, spotify links, likes, playlists, corrections,
    # login attempts
    assert len(held) >= 9, held  # so the check below can fail

    await store.delete_user_data("Zelda")

    after = await every_row(store)
    assert [row for _, row in after if "zelda" in row.lower()] == []
    assert await store.get_user("zelda") is None
    assert await store.count_interactions("zelda") == 0
    # bob keeps everything
    assert await store.get_user("bob") is not None
    assert await store.count_interactions("bob") == 30
    assert len(await store.list_playlists("bob")) == 1
    assert len((await store.list_likes("bob", 10)).likes) == 2
    assert await store.get_session("bob-sid-0") is not None
    # and the name is free again
    await store.create_user(User("zelda", "new-hash", "Zelda again"))
    assert (await store.get_user("zelda")).password_hash == "new-hash"  # type: ignore[union-attr]
