"""Store contract for liked songs, playlists and taste corrections, on SQLite and DynamoDB."""

from __future__ import annotations

import pytest

from backend.store import Correction, Like, Playlist, PlaylistConflict, Store
from tests.backend.test_store import store  # noqa: F401  (the both-stores fixture)
from tests.dynalite import dynalite_server  # noqa: F401

AT = 1_700_000_000_000


# liked songs

async def test_likes_page_newest_first_and_a_new_like_moves_to_the_top(store: Store) -> None:  # noqa: F811
    await store.put_likes("Ada", [Like(f"demo-{i:04d}", AT + i * 1000) for i in range(7)])
    await store.put_likes("ada", [Like("demo-0002", AT + 10_000)])  # liked again, later
    await store.put_likes("ada", [Like("demo-0005", AT)])  # an older like changes nothing
    await store.put_likes("bob", [Like("demo-0100", AT)])
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(5):
        page = await store.list_likes("ada", 3, cursor)
        seen += [like.track_id for like in page.likes]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == ["demo-0002", "demo-0006", "demo-0005", "demo-0004", "demo-0003",
                    "demo-0001", "demo-0000"]
    with pytest.raises(ValueError):
        await store.list_likes("ada", 3, "not-a-cursor")


async def test_unlike_and_which_tracks_are_liked(store: Store) -> None:  # noqa: F811
    await store.put_likes("ada", [Like("demo-0001", AT), Like("demo-0002", AT + 1)])
    assert await store.liked_among("ada", ["demo-0001", "demo-0003", "demo-0002",
                                           "demo-0001"]) == {"demo-0001", "demo-0002"}
    assert await store.delete_like("ada", "demo-0001") is True
    assert await store.delete_like("ada", "demo-0001") is False
    assert [x.track_id for x in (await store.list_likes("ada", 10)).likes] == ["demo-0002"]
    assert await store.liked_among("bob", ["demo-0002"]) == set()
    assert await store.liked_among("ada", []) == set()


# playlists

def _playlist(pid: str, name: str, created: int, tracks: list[str] | None = None) -> Playlist:
    return Playlist(pid, name, 1, tracks or [], created, created)


async def test_playlists_round_trip_per_user_oldest_first(store: Store) -> None:  # noqa: F811
    await store.create_playlist("ada", _playlist("p2", "Later", AT + 5, ["demo-0001"]))
    await store.create_playlist("Ada", _playlist("p1", "Road trip", AT, ["demo-0003", "demo-0002"]))
    imported = Playlist("p3", "From Spotify", 1, ["4uLU6hMCjMI75M1A2tKUQC"], AT + 9, AT + 9,
                        "spotify", "37i9dQZF1DXcBWIGoYBM5M")
    await store.create_playlist("ada", imported)
    await store.create_playlist("bob", _playlist("p1", "Bob's", AT))
    assert [p.name for p in await store.list_playlists("ada")] == ["Road trip", "Later",
                                                                   "From Spotify"]
    got = await store.get_playlist("ADA", "p1")
    assert got == _playlist("p1", "Road trip", AT, ["demo-0003", "demo-0002"])
    assert await store.get_playlist("ada", "p3") == imported
    assert await store.get_playlist("ada", "nope") is None
    assert (await store.get_playlist("bob", "p1")).name == "Bob's"  # type: ignore[union-attr]


async def test_saving_needs_the_current_version(store: Store) -> None:  # noqa: F811
    await store.create_playlist("ada", _playlist("p1", "Mix", AT, ["demo-0001"]))
    first = Playlist("p1", "Mix", 2, ["demo-0001", "demo-0002"], AT, AT + 1)
    await store.save_playlist("ada", first, expected_version=1)
    stale = Playlist("p1", "Mix", 2, ["demo-0009"], AT, AT + 2)  # another device, from 1
    with pytest.raises(PlaylistConflict):
        await store.save_playlist("ada", stale, expected_version=1)
    assert await store.get_playlist("ada", "p1") == first
    with pytest.raises(PlaylistConflict):  # gone: nothing to save onto
        await store.save_playlist("ada", Playlist("p9", "X", 2, [], AT, AT), expected_version=1)
    assert await store.get_playlist("ada", "p9") is None


async def test_deleting_a_playlist(store: Store) -> None:  # noqa: F811
    await store.create_playlist("ada", _playlist("p1", "Mix", AT))
    assert await store.delete_playlist("ada", "p1") is True
    assert await store.delete_playlist("ada", "p1") is False
    assert await store.list_playlists("ada") == []


# taste corrections

async def test_corrections_are_stored_once_and_listed_in_order(store: Store) -> None:  # noqa: F811
    later = Correction("c2", "block", "demo-ar-001", AT + 5)
    earlier = Correction("c1", "forget_track", "demo-0001", AT)
    reset = Correction("c3", "reset", "", AT + 5)
    assert await store.put_correction("ada", later) is True
    assert await store.put_correction("ada", earlier) is True
    assert await store.put_correction("ada", reset) is True
    assert await store.put_correction("ADA", Correction("c2", "unblock", "x", AT + 9)) is False
    assert await store.list_corrections("ada") == [earlier, later, reset]
    assert await store.list_corrections("bob") == []
