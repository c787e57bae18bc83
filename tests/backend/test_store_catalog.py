"""The catalog contract: the same tests against SQLite (a real file) and DynamoDB (dynalite)."""

from __future__ import annotations

import pytest

from backend.store import Store
from backend.store.catalog import MAX_DOC_BYTES, CatalogTrack, LibraryFile
from tests.backend.test_store import store  # noqa: F401  (both stores, parametrised)
from tests.dynalite import dynalite_server  # noqa: F401


def track(n: int, artist: str = "ar-1", album: str = "al-1", genres: tuple[str, ...] = ("Rock",),
          source: str = "local") -> CatalogTrack:
    doc = {"id": f"{source}-{n:04d}", "source": source, "name": f"Song {n}",
           "artists": [{"id": artist, "name": artist.upper()}],
           "album": {"id": album, "name": "An Album", "images": []},
           "genres": list(genres), "duration_ms": 180_000}
    return CatalogTrack(id=doc["id"], source=source, doc=doc, location=f"0/song{n}.flac",
                        updated_at=1000 + n)


async def test_tracks_round_trip_and_page_by_source(store: Store) -> None:  # noqa: F811
    await store.put_catalog_tracks([track(n) for n in range(5)] + [track(9, source="subsonic")])
    found = await store.get_catalog_tracks(["local-0002", "local-0404", "subsonic-0009"])
    assert set(found) == {"local-0002", "subsonic-0009"}
    got = found["local-0002"]
    assert got.doc["name"] == "Song 2" and got.location == "0/song2.flac"
    assert got.present and got.analysis == "pending" and got.features == {}
    first = await store.catalog_tracks("local", limit=3)
    rest = await store.catalog_tracks("local", after_id=first[-1].id, limit=3)
    assert [t.id for t in first + rest] == [f"local-{n:04d}" for n in range(5)]
    assert [t.id for t in await store.catalog_tracks("subsonic")] == ["subsonic-0009"]


async def test_queryable_by_artist_album_and_genre(store: Store) -> None:  # noqa: F811
    await store.put_catalog_tracks([
        track(1, "ar-a", "al-x", ("Rock", "Indie")), track(2, "ar-a", "al-y", ("Jazz",)),
        track(3, "ar-b", "al-x", ("rock",))])
    assert await store.catalog_ids("artist#ar-a") == ["local-0001", "local-0002"]
    assert await store.catalog_ids("album#al-x") == ["local-0001", "local-0003"]
    assert await store.catalog_ids("genre#rock") == ["local-0001", "local-0003"]
    # retagging moves the track between artists: old links go, new ones come
    await store.put_catalog_tracks([track(1, "ar-b", "al-x", ("Jazz",))])
    assert await store.catalog_ids("artist#ar-a") == ["local-0002"]
    assert await store.catalog_ids("artist#ar-b") == ["local-0001", "local-0003"]
    assert await store.catalog_ids("genre#jazz") == ["local-0001", "local-0002"]
    assert await store.catalog_ids("genre#indie") == []


async def test_analysis_survives_a_rescan_and_pending_is_a_sparse_index(
        store: Store) -> None:  # noqa: F811
    await store.put_catalog_tracks([track(n) for n in range(4)])
    assert await store.catalog_ids("pending#local") == [f"local-{n:04d}" for n in range(4)]
    await store.set_catalog_analysis("local-0001", "done", {"tempo": 91.5, "energy": 0.4})
    await store.set_catalog_analysis("local-0002", "failed", {}, "cannot decode")
    assert await store.catalog_ids("pending#local") == ["local-0000", "local-0003"]
    # a rescan (new tags, same audio) keeps what the analysis found
    retagged = track(1)
    retagged.doc["name"] = "Renamed"
    await store.put_catalog_tracks([retagged])
    got = (await store.get_catalog_tracks(["local-0001"]))["local-0001"]
    assert got.doc["name"] == "Renamed"
    assert got.analysis == "done" and got.features == {"tempo": 91.5, "energy": 0.4}
    assert got.track()["features"] == {"tempo": 91.5, "energy": 0.4}
    failed = (await store.get_catalog_tracks(["local-0002"]))["local-0002"]
    assert failed.analysis == "failed" and failed.error == "cannot decode"
    assert await store.catalog_counts("local") == {
        "tracks": 4, "analysed": 1, "pending": 2, "failed": 1}


async def test_vanished_tracks_keep_their_record(store: Store) -> None:  # noqa: F811
    await store.put_catalog_tracks([track(n) for n in range(3)])
    await store.set_catalog_present(["local-0000", "local-0404"], False, 5000)
    gone = (await store.get_catalog_tracks(["local-0000"]))["local-0000"]
    assert not gone.present and gone.updated_at == 5000 and gone.doc["name"] == "Song 0"
    assert await store.catalog_ids("pending#local") == ["local-0001", "local-0002"]
    assert (await store.catalog_counts("local"))["tracks"] == 2
    await store.set_catalog_present(["local-0000"], True, 6000)
    assert "local-0000" in await store.catalog_ids("pending#local")


async def test_oversized_tags_are_refused_before_anything_is_written(
        store: Store) -> None:  # noqa: F811
    big = track(1)
    big.doc["name"] = "x" * (MAX_DOC_BYTES + 1)
    with pytest.raises(ValueError):
        await store.put_catalog_tracks([track(0), big])
    assert await store.get_catalog_tracks(["local-0000", "local-0001"]) == {}


async def test_library_file_index(store: Store) -> None:  # noqa: F811
    files = [LibraryFile("0", f"a/{n}.mp3", 100 + n, 10**18 + n, f"local-{n:04d}")
             for n in range(30)]
    files.append(LibraryFile("0", "bad.mp3", 0, 1, "", "empty file"))
    files.append(LibraryFile("1", "other.flac", 5, 6, "local-9999"))
    await store.put_library_files(files)
    got = sorted(await store.library_files("0"), key=lambda f: f.path)
    assert len(got) == 31 and got[-1] == LibraryFile("0", "bad.mp3", 0, 1, "", "empty file")
    assert LibraryFile("0", "a/7.mp3", 107, 10**18 + 7, "local-0007") in got
    await store.delete_library_files("0", ["bad.mp3", "a/0.mp3"])
    assert len(await store.library_files("0")) == 29
    assert await store.library_files("1") == [files[-1]]


async def test_state_documents_and_leases(store: Store) -> None:  # noqa: F811
    assert await store.get_library_state("local") is None
    await store.put_library_state("local", {"scanning": True, "failed": [{"path": "é.mp3"}]})
    assert await store.get_library_state("local") == {
        "scanning": True, "failed": [{"path": "é.mp3"}]}
    assert await store.claim_lease("scan", "node-a", 30)
    assert await store.claim_lease("scan", "node-a", 30)  # renewing is fine
    assert not await store.claim_lease("scan", "node-b", 30)
    await store.release_lease("scan", "node-b")  # not its lease: nothing happens
    assert not await store.claim_lease("scan", "node-b", 30)
    await store.release_lease("scan", "node-a")
    assert await store.claim_lease("scan", "node-b", 0.01)
    assert await store.get_library_state("local") is not None  # leases live apart from state
