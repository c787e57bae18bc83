"""The store contract: the same tests against SQLite (a real file) and DynamoDB (real dynalite)."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from backend.store import (
    Interaction,
    ModelConflict,
    ModelSnapshot,
    Session,
    SpotifyLink,
    Store,
    StoreError,
    StoreUnavailable,
    User,
    UsernameTaken,
)
from backend.store.base import MAX_MODEL_BLOB_BYTES
from backend.store.dynamodb import DynamoDBStore
from backend.store.sqlite import SQLiteStore
from tests.dynalite import Dynalite, dynalite_server  # noqa: F401

_prefixes = itertools.count()


@pytest_asyncio.fixture(params=["sqlite", "dynamodb"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    s: Store
    if request.param == "sqlite":
        s = SQLiteStore(tmp_path / "data" / "encore.sqlite3")
    else:
        server: Dynalite = request.getfixturevalue("dynalite_server")
        # a table prefix of its own keeps each test's data apart on the shared server
        s = DynamoDBStore(server.endpoint_url, "us-east-1", f"t{next(_prefixes)}_")
    await s.open()
    yield s
    await s.close()


def make(n: int, start_at: int = 1_700_000_000_000, step: int = 1000) -> list[Interaction]:
    return [Interaction(id=str(uuid.uuid4()), track_id=f"track-{i}", type="finished",
                        position_ms=1000 * i, duration_ms=200_000, at=start_at + step * i)
            for i in range(n)]


# users

async def test_user_round_trip_with_case_insensitive_names(store: Store) -> None:
    await store.create_user(User("Alice", "hash1", "Alice A.", {"exploration": 0.5}, 123))
    user = await store.get_user("ALICE")
    assert user == User("alice", "hash1", "Alice A.", {"exploration": 0.5}, 123)
    assert await store.get_user("bob") is None


async def test_username_taken_whatever_the_case(store: Store) -> None:
    await store.create_user(User("alice", "h", "Alice"))
    with pytest.raises(UsernameTaken):
        await store.create_user(User("ALICE", "other", "Impostor"))
    user = await store.get_user("alice")
    assert user is not None and user.password_hash == "h" and user.display_name == "Alice"


async def test_update_user(store: Store) -> None:
    await store.create_user(User("alice", "h", "Alice", {}, 5))
    await store.update_user(User("Alice", "h2", "", {"allow_explicit": False}, 0))
    assert await store.get_user("alice") == User("alice", "h2", "", {"allow_explicit": False}, 5)
    with pytest.raises(StoreError):
        await store.update_user(User("nobody", "h", "N"))
    assert await store.get_user("nobody") is None


# sessions

async def test_sessions_put_get_delete_and_expire(store: Store) -> None:
    now = int(time.time())
    live = Session("hash-live", "alice", now + 3600, {"oauth_state": "xyz"})
    await store.put_session(live)
    await store.put_session(Session("hash-old", "alice", now - 1))
    assert await store.get_session("hash-live") == live
    assert await store.get_session("hash-old") is None
    assert await store.get_session("hash-missing") is None
    await store.delete_session("hash-live")
    assert await store.get_session("hash-live") is None
    await store.delete_session("hash-live")  # deleting twice is fine


async def test_signed_in_reads_the_session_and_its_user_together(store: Store) -> None:
    now = int(time.time())
    alice = User("alice", "hash1", "Alice", {}, 1)
    await store.create_user(alice)
    live = Session("hash-live", "Alice", now + 3600, {"k": 1})
    await store.put_session(live)
    await store.put_session(Session("hash-old", "alice", now - 1))
    await store.put_session(Session("hash-nobody", "bob", now + 3600))  # no such user
    assert await store.get_signed_in("hash-live") == (live, alice)
    assert await store.get_signed_in("hash-old") is None
    assert await store.get_signed_in("hash-nobody") is None
    assert await store.get_signed_in("hash-missing") is None
    await store.update_user(User("alice", "hash2", "Alice", {}, 1))  # a new password: read anew
    assert await store.get_signed_in("hash-live") == (live, User("alice", "hash2", "Alice", {}, 1))
    await store.delete_session("hash-live")
    assert await store.get_signed_in("hash-live") is None


async def test_signed_in_is_the_session_s_user_whatever_the_hint(store: Store) -> None:
    """The cookie's username hint only chooses what a store may read along: the user is always
    the session's (a hint naming another user, or no one, or nothing a key can be, changes
    nothing), and an expired session is nobody's."""
    now = int(time.time())
    alice, mallory = User("alice", "h1", "Alice", {}, 1), User("mallory", "h2", "M", {}, 2)
    await store.create_user(alice)
    await store.create_user(mallory)
    live = Session("hash-live", "alice", now + 3600)
    await store.put_session(live)
    await store.put_session(Session("hash-old", "alice", now - 1))
    for hint in ("alice", "ALICE", "mallory", "nobody", "", "x" * 3000, "\ud800", None):
        assert await store.get_signed_in("hash-live", hint) == (live, alice), hint
        assert await store.get_signed_in("hash-old", hint) is None, hint
        assert await store.get_signed_in("hash-missing", hint) is None, hint


async def test_dynamodb_reads_a_hinted_session_and_its_user_in_one_call(
        dynalite_server: Dynalite) -> None:  # noqa: F811
    store = DynamoDBStore(dynalite_server.endpoint_url, "us-east-1", f"t{next(_prefixes)}_")
    await store.open()
    try:
        await store.create_user(User("alice", "h1", "Alice", {}, 1))
        await store.put_session(Session("hash-live", "alice", int(time.time()) + 3600))
        calls: list[str] = []
        plain_call = store._call

        async def counted(op: str, **kwargs: object) -> dict[str, object]:
            calls.append(op)
            return await plain_call(op, **kwargs)

        store._call = counted  # type: ignore[method-assign]
        assert await store.get_signed_in("hash-live", "alice") is not None
        assert calls == ["batch_get_item"]
        calls.clear()
        assert await store.get_signed_in("hash-live") is not None  # a cookie from before hints
        assert calls == ["get_item", "get_item"]
    finally:
        await store.close()


# interactions

async def test_replaying_a_batch_stores_it_once(store: Store) -> None:
    batch = make(20)
    ids = [i.id for i in batch]
    first = await store.put_interactions("alice", batch)
    assert first.accepted == ids and first.duplicates == []
    for _ in range(2):
        again = await store.put_interactions("Alice", batch)
        assert again.accepted == [] and again.duplicates == ids
    assert await store.count_interactions("alice") == 20
    assert [i.id for i in await store.interactions_after("alice")] == ids


async def test_partial_overlap_and_duplicates_inside_a_batch(store: Store) -> None:
    old, new = make(5), make(3, start_at=1_800_000_000_000)
    await store.put_interactions("alice", old)
    batch = [old[0], new[0], new[1], new[0], old[4], new[2]]
    result = await store.put_interactions("alice", batch)
    assert result.accepted == [new[0].id, new[1].id, new[2].id]
    assert result.duplicates == [old[0].id, new[0].id, old[4].id]
    assert await store.count_interactions("alice") == 8


async def test_a_replayed_id_with_other_content_changes_nothing(store: Store) -> None:
    [orig] = make(1)
    await store.put_interactions("alice", [orig])
    changed = Interaction(orig.id, "other-track", "skipped", 1, 2, orig.at + 5000)
    result = await store.put_interactions("alice", [changed])
    assert result.accepted == [] and result.duplicates == [orig.id]
    assert await store.interactions_after("alice") == [orig]
    assert (await store.list_interactions("alice", 10)).interactions == [orig]
    assert await store.count_interactions("alice") == 1


async def test_paging_newest_first_without_gaps_or_repeats(store: Store) -> None:
    items = make(23, step=500) + make(4, start_at=1_700_000_002_000, step=0)  # ties on `at`
    await store.put_interactions("alice", items[:10])
    await store.put_interactions("alice", items[10:])
    await store.put_interactions("bob", make(3))  # someone else's never shows up
    expected = sorted(items, key=Interaction.sort_key, reverse=True)
    seen: list[Interaction] = []
    cursor: str | None = None
    for _ in range(10):
        page = await store.list_interactions("alice", 5, cursor)
        assert len(page.interactions) <= 5
        seen += page.interactions
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected
    assert await store.count_interactions("alice") == 27


async def test_the_last_full_page_has_no_cursor(store: Store) -> None:
    items = make(6)
    await store.put_interactions("alice", items)
    first = await store.list_interactions("alice", 3)
    assert first.next_cursor is not None
    second = await store.list_interactions("alice", 3, first.next_cursor)
    assert [i.id for i in second.interactions] == [i.id for i in items[2::-1]]
    assert second.next_cursor is None
    empty = await store.list_interactions("nobody", 3)
    assert empty.interactions == [] and empty.next_cursor is None


async def test_a_forged_cursor_is_rejected(store: Store) -> None:
    with pytest.raises(ValueError):
        await store.list_interactions("alice", 5, "not-a-cursor!")


async def test_interactions_after_a_sort_key_oldest_first(store: Store) -> None:
    items = make(10)
    await store.put_interactions("alice", list(reversed(items)))
    assert await store.interactions_after("alice") == items
    assert await store.interactions_after("alice", items[3].sort_key()) == items[4:]
    assert await store.interactions_after("alice", items[-1].sort_key()) == []
    assert await store.interactions_after("nobody") == []


async def test_five_hundred_in_one_batch(store: Store) -> None:
    items = make(500, step=10)
    started = time.monotonic()
    result = await store.put_interactions("alice", items)
    elapsed = time.monotonic() - started
    assert len(result.accepted) == 500 and result.duplicates == []
    assert await store.count_interactions("alice") == 500
    page = await store.list_interactions("alice", 500)
    assert page.interactions == items[::-1] and page.next_cursor is None
    assert elapsed < 10, f"500 interactions took {elapsed:.1f} s"


# model snapshots

async def test_model_snapshots_are_versioned(store: Store) -> None:
    assert await store.get_model("alice") is None
    assert await store.get_model_version("alice") is None
    await store.put_model(ModelSnapshot("alice", 1, b"\x00\x01snapshot-1", 111), 0)
    await store.put_model(ModelSnapshot("alice", 2, bytes(range(256)) * 1000, 222), 1)
    assert await store.get_model_version("Alice") == 2
    assert await store.get_model("alice") == ModelSnapshot("alice", 2, bytes(range(256)) * 1000,
                                                           222)


async def test_a_snapshot_names_the_account_it_was_saved_for(store: Store) -> None:
    await store.put_model(ModelSnapshot("alice", 1, b"first", 1, owner_created_at=100), 0)
    first = await store.get_model("alice")
    assert first is not None and first.owner_created_at == 100
    assert first.belongs_to(User("alice", "h", "Alice", created_at=100))
    assert not first.belongs_to(User("alice", "h", "Alice", created_at=200))  # name taken again
    assert not first.belongs_to(None)
    await store.put_model(ModelSnapshot("alice", 2, b"second", 2, owner_created_at=200), 1)
    assert await store.get_model("alice") == ModelSnapshot("alice", 2, b"second", 2, 200)
    await store.put_model(ModelSnapshot("bob", 1, b"unstamped", 3), 0)  # as saved before
    unstamped = await store.get_model("bob")
    assert unstamped is not None and unstamped.owner_created_at is None
    assert unstamped.belongs_to(User("bob", "h", "Bob", created_at=300))


async def test_a_snapshot_is_deleted_only_at_the_version_given(store: Store) -> None:
    assert not await store.delete_model("alice", 1)  # none stored
    await store.put_model(ModelSnapshot("alice", 1, b"first", 1), 0)
    await store.put_model(ModelSnapshot("alice", 2, b"second", 2), 1)
    assert not await store.delete_model("alice", 1)  # another save replaced it
    assert await store.get_model_version("alice") == 2
    assert await store.delete_model("Alice", 2)
    assert await store.get_model("alice") is None


async def test_an_oversized_model_is_rejected_and_the_old_one_kept(store: Store) -> None:
    await store.put_model(ModelSnapshot("alice", 1, b"small", 1), 0)
    with pytest.raises(StoreError, match="exceeds"):
        await store.put_model(ModelSnapshot("alice", 2, b"x" * (MAX_MODEL_BLOB_BYTES + 1), 2), 1)
    assert await store.get_model_version("alice") == 1
    largest = b"y" * MAX_MODEL_BLOB_BYTES
    await store.put_model(ModelSnapshot("alice", 3, largest, 3), 1)
    snapshot = await store.get_model("alice")
    assert snapshot is not None and snapshot.blob == largest


async def test_a_snapshot_written_on_a_stale_version_is_refused(store: Store) -> None:
    """Two nodes that trained one user from the same version: the first write wins, the
    second gets ModelConflict and changes nothing (no last-writer-wins)."""
    with pytest.raises(ModelConflict):
        await store.put_model(ModelSnapshot("alice", 2, b"expects one", 1), 1)  # none stored
    assert await store.get_model("alice") is None
    await store.put_model(ModelSnapshot("alice", 1, b"node a", 10), 0)
    with pytest.raises(ModelConflict):
        await store.put_model(ModelSnapshot("Alice", 1, b"node b", 11), 0)
    assert await store.get_model("alice") == ModelSnapshot("alice", 1, b"node a", 10)
    results = await asyncio.gather(
        *(store.put_model(ModelSnapshot("alice", 2, f"racer {n}".encode(), 20 + n), 1)
          for n in range(8)),
        return_exceptions=True)
    winners = [n for n, r in enumerate(results) if r is None]
    assert len(winners) == 1
    assert all(isinstance(r, ModelConflict) for r in results if r is not None)
    stored = await store.get_model("alice")
    assert stored == ModelSnapshot("alice", 2, f"racer {winners[0]}".encode(), 20 + winners[0])


# spotify links

async def test_spotify_link_round_trip_and_delete(store: Store) -> None:
    link = SpotifyLink("Alice", b"\x00\xffaccess-ct", b"refresh-ct\x00", 1_700_003_600,
                       scope="streaming user-read-email", spotify_id="sp-alice",
                       display_name="Alice", product="premium", authorized_at=1_700_000_000,
                       unavailable={"/v1/audio-features": 1_700_000_500})
    await store.put_spotify_link(link)
    got = await store.get_spotify_link("alice")
    assert got == SpotifyLink(**{**link.__dict__, "username": "alice"})
    bare = SpotifyLink("bob", b"a", b"r", 5)
    await store.put_spotify_link(bare)
    assert await store.get_spotify_link("bob") == bare
    await store.delete_spotify_link("alice")
    assert await store.get_spotify_link("alice") is None
    assert await store.get_spotify_link("bob") == bare


async def test_ping_answers_when_open_and_says_unavailable_when_not(store: Store) -> None:
    await store.ping()
    await store.create_user(User("alice", "h", "Alice"))  # the store it pings is usable
    assert await store.get_user("alice") is not None
    await store.close()
    with pytest.raises(StoreUnavailable):
        await store.ping()
    await store.open()  # reopening works, and the fixture's close() stays harmless
    await store.ping()
    assert await store.get_user("alice") is not None
