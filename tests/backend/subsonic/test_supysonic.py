"""Encore's Subsonic client against a real server, Supysonic 0.7.9 (Subsonic API 1.12,
password sign-in only, no OpenSubsonic), over a folder of real MP3, Ogg and FLAC files."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest

from backend.subsonic.auth import Credentials
from backend.subsonic.client import SubsonicClient, new_http_client
from backend.subsonic.errors import SubsonicError
from tests.supysonic import LIBRARY, SupysonicServer, wait_for


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    client = new_http_client()
    yield client
    await client.aclose()


async def signed_in(http: httpx2.AsyncClient, supysonic: SupysonicServer) -> SubsonicClient:
    subsonic = SubsonicClient(http, supysonic.url,
                              Credentials(supysonic.username, password=supysonic.password))
    await subsonic.negotiate()
    return subsonic


async def test_signs_in_with_the_hex_password(http: httpx2.AsyncClient,
                                              supysonic: SupysonicServer) -> None:
    info = (await signed_in(http, supysonic)).info
    assert (info.auth, info.api_version, info.open_subsonic, info.extensions) == (
        "password", "1.12.0", False, {})
    assert info.public()["type"] == "subsonic"


async def test_wrong_password_is_said_plainly(http: httpx2.AsyncClient,
                                              supysonic: SupysonicServer) -> None:
    subsonic = SubsonicClient(http, supysonic.url, Credentials(supysonic.username,
                                                               password="not-it"))
    with pytest.raises(SubsonicError) as caught:
        await subsonic.negotiate()
    assert caught.value.code == 40
    # Supysonic's own words ("Wrong username or password.") say nothing more: not said twice
    assert caught.value.message == "Wrong username or password for this Subsonic server (error 40)."


async def test_the_library_as_the_server_scanned_it(http: httpx2.AsyncClient,
                                                    supysonic: SupysonicServer) -> None:
    subsonic = await signed_in(http, supysonic)
    songs = await subsonic.random_songs(100)
    assert sorted(s["title"] for s in songs) == sorted(s.title for s in LIBRARY)
    jazz = await subsonic.songs_by_genre("Jazz", 50)
    assert {s["artist"] for s in jazz} == {"Iris Okafor"} and len(jazz) == 4
    assert {s["suffix"] for s in songs} == {"mp3", "ogg", "flac"}
    albums = await subsonic.album_list("newest", 10)
    assert len(albums) == 4
    assert len(await subsonic.album_songs(albums[0]["id"])) == 4
    assert {g["value"] for g in await subsonic.genres()} == {"Rock", "Electronic", "Jazz", "Folk"}


async def test_audio_bytes_are_the_files_bytes(http: httpx2.AsyncClient,
                                               supysonic: SupysonicServer) -> None:
    subsonic = await signed_in(http, supysonic)
    song = next(s for s in await subsonic.random_songs(100) if s["suffix"] == "flac")
    on_disk = (supysonic.music / song["path"]).read_bytes()
    response = await subsonic.open_stream(song["id"], "bytes=1000-4999")
    try:
        body = await response.aread()
    finally:
        await response.aclose()
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 1000-4999/{len(on_disk)}"
    assert body == on_disk[1000:5000]
    image, kind = await subsonic.cover_art(song["coverArt"], 300)
    assert kind == "image/jpeg" and image[:2] == b"\xff\xd8"


async def test_scrobble_and_star_reach_the_server(http: httpx2.AsyncClient,
                                                  supysonic: SupysonicServer) -> None:
    subsonic = await signed_in(http, supysonic)
    song = next(s for s in await subsonic.random_songs(100) if s["title"] == "Folk Song 2")
    await subsonic.scrobble(song["id"], 1_700_000_000_000, submission=True)
    listens = supysonic.listenbrainz
    await wait_for(lambda: "Folk Song 2" in listens.scrobbled(), "the scrobble")
    assert [x["listened_at"] for x in listens.listens if x["title"] == "Folk Song 2"] == [
        1_700_000_000]
    await subsonic.star(song["id"])
    starred = supysonic.call("getStarred2")["starred2"]["song"]
    assert song["id"] in [s["id"] for s in starred]


async def test_what_supysonic_does_not_offer(http: httpx2.AsyncClient,
                                             supysonic: SupysonicServer) -> None:
    subsonic = await signed_in(http, supysonic)
    song = (await subsonic.random_songs(1))[0]
    for call in (subsonic.similar_songs(song["artistId"], 10),
                 subsonic.top_songs(song["artist"], 10),
                 subsonic.report_playback(song["id"], "playing", 0)):
        with pytest.raises(SubsonicError) as caught:
            await call
        assert caught.value.code == 0 and "Unknown method" in caught.value.message


async def test_a_server_that_ignores_a_posts_range(http: httpx2.AsyncClient,
                                                   supysonic: SupysonicServer) -> None:
    """Supysonic advertises no `formPost` (Encore GETs), yet takes POSTs, and answers a POST's
    Range with the whole file (Werkzeug handles ranges for GET only, as RFC 9110 allows). Were
    it to advertise `formPost`, the listener would still get the bytes asked for (by GET), and
    covers would come by POST."""
    subsonic = await signed_in(http, supysonic)
    song = next(s for s in await subsonic.random_songs(100) if s["suffix"] == "mp3")
    on_disk = (supysonic.music / song["path"]).read_bytes()
    fields = subsonic.params({"id": song["id"], "format": "raw"})
    whole = await http.post(f"{supysonic.url}/rest/stream", data=dict(fields),
                            headers={"Range": "bytes=1000-1999"})
    assert (whole.status_code, len(whole.content)) == (200, len(on_disk))  # the range ignored
    SubsonicClient._ranges_by_get.discard(subsonic.url)
    subsonic.info.extensions["formPost"] = [1]
    response = await subsonic.open_stream(song["id"], "bytes=1000-1999")
    try:
        body = await response.aread()
    finally:
        await response.aclose()
    assert response.status_code == 206 and body == on_disk[1000:2000]
    assert response.request.method == "GET"
    image, kind = await subsonic.cover_art(song["coverArt"], 300)
    assert kind == "image/jpeg" and image[:2] == b"\xff\xd8"
