"""Search, its covers and the artist pages over a listener's own account on a real server
(Supysonic 0.7.9), seen through a proxy that counts what reaches the server
(tests/subsonic_proxy.py) and can play a server whose songs carry no `artistId`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from backend.sources import subsonic_search
from backend.sources.subsonic_search import SEARCH_ARTIST_ALBUMS, SubsonicSearch
from backend.subsonic.client import CALLS_IN_FLIGHT, COVERS_IN_FLIGHT
from tests.subsonic_proxy import SubsonicProxy
from tests.supysonic import Song, SupysonicServer, make_music, wait_for

from ..conftest import search

ROCK = [f"Rock Song {n}" for n in range(1, 5)]  # Ada Holm's "Rock Album"
NO_ARTIST_IDS = frozenset({"artistId"})
# Longer than an artist id may hold (128 characters with "subsonic-<server>-artist-")
LONG_NAME = ("Orchestra of the Age of Enlightenment, Sir Simon Rattle, Magdalena Kožená and the "
             "Choir of the Enlightenment")


@pytest.fixture(scope="module")
def long_named(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SupysonicServer]:
    """A Supysonic whose one song is by an artist of a very long name."""
    root = tmp_path_factory.mktemp("long-named")
    make_music(root / "music", [Song("Long/Album/01 Overture.mp3", "Overture", LONG_NAME,
                                     "Overtures", "Classical", 2001, 1, 440, 2.0)])
    server = SupysonicServer(root / "server", root / "music").start(tracks=1)
    yield server
    server.stop()


ALBUMS = 10  # Nora Vale's, one song each: more than a search asks songs of


@pytest.fixture(scope="module")
def prolific(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SupysonicServer]:
    """A Supysonic with one artist of ALBUMS albums."""
    root = tmp_path_factory.mktemp("prolific")
    songs = [Song(f"Nora Vale/Album {n}/01 Piece {n}.mp3", f"Piece {n}", "Nora Vale",
                  f"Album {n}", "Ambient", 2000 + n, 1, 300 + 20 * n, 1.0)
             for n in range(1, ALBUMS + 1)]
    make_music(root / "music", songs)
    server = SupysonicServer(root / "server", root / "music").start(tracks=ALBUMS)
    yield server
    server.stop()


@pytest.fixture
def subsonic_account(proxy: SubsonicProxy, supysonic: SupysonicServer) -> dict[str, str]:
    """The listener's own account is on Supysonic, reached through the proxy."""
    return {"url": proxy.url, "username": supysonic.username, "password": supysonic.password}


def names(items: list[dict[str, Any]]) -> list[str]:
    return sorted(i["name"] for i in items)


@pytest.mark.parametrize("proxy", [NO_ARTIST_IDS], indirect=True, ids=["no artistId"])
async def test_an_artist_named_without_an_id_opens_with_their_songs(listener: Any) -> None:
    """The songs carry the artist's name only: the artist link (an id built from the name)
    opens the artist's page with their songs, not a 404."""
    track = next(t for t in (await search(listener, "rock song"))["tracks"]
                 if t["name"] == "Rock Song 2")
    artist = track["artists"][0]
    assert artist["id"].endswith("-artist-Ada Holm")  # no id from the server: its name
    answer = await listener.get(f"/api/artists/{quote(artist['id'])}")
    assert answer.status_code == 200
    page = await answer.get_json()
    assert page["name"] == "Ada Holm" and names(page["tracks"]) == ROCK
    assert [a["name"] for a in page["albums"]] == ["Rock Album"]
    # the album page's artist link is the same
    album = await (await listener.get(f"/api/albums/{track['album']['id']}")).get_json()
    assert [a["id"] for a in album["artists"]] == [artist["id"]]
    # a name no artist of the server has is still no artist, a name with a "/" too
    key = track["id"].split("-")[1]
    for name in ("Nobody Here", "AC/DC"):
        missing = await listener.get(f"/api/artists/subsonic-{key}-artist-{quote(name, '')}")
        assert missing.status_code == 404, name
        assert (await missing.get_json())["error"]["code"] == "artist_not_found", name


async def test_an_artist_of_a_name_longer_than_an_id_opens_too(
        client: Any, auth: Any, long_named: SupysonicServer) -> None:
    """The id made of a long name is cut to what an id holds: the name it keeps is the start of
    the artist's, and the page still opens with their songs."""
    proxy = SubsonicProxy(long_named.url, drop=NO_ARTIST_IDS)
    try:
        await auth.signup()
        assert (await client.post("/api/subsonic/connect", json={
            "url": proxy.url, "username": long_named.username,
            "password": long_named.password})).status_code == 200
        track = (await search(client, "overture"))["tracks"][0]
        artist = track["artists"][0]
        assert artist["name"] == LONG_NAME and len(artist["id"]) == 128
        answer = await client.get(f"/api/artists/{quote(artist['id'], '')}")
        assert answer.status_code == 200
        page = await answer.get_json()
        assert page["name"] == LONG_NAME and names(page["tracks"]) == ["Overture"]
    finally:
        proxy.close()


async def test_a_repeated_search_does_not_reach_the_server_again_but_another_listeners_does(
        listener: Any, auth: Any, proxy: SubsonicProxy,
        subsonic_account: dict[str, str]) -> None:
    """Search as you type repeats a query often: the server answers it once per listener (for a
    short while); another listener's same query is theirs to ask."""
    first = await search(listener, "rock song")
    assert names(first["tracks"]) == ROCK
    asked = proxy.count("search3", query="rock song")
    assert asked == 1
    again = await search(listener, "rock  song ")  # typed again, a space more
    assert len(proxy.calls_of("search3")) == asked
    assert again["tracks"] == first["tracks"] and again["notice"] is None

    await auth.logout()
    await auth.signup("grace")
    connected = await listener.post("/api/subsonic/connect", json=subsonic_account)
    assert connected.status_code == 200
    theirs = await search(listener, "rock song")
    assert names(theirs["tracks"]) == ROCK
    assert proxy.count("search3", query="rock song") == asked + 1
    # connecting again (another account, maybe) asks afresh too
    assert (await listener.post("/api/subsonic/connect", json=subsonic_account)).status_code == 200
    await search(listener, "rock song")
    assert proxy.count("search3", query="rock song") == asked + 2


async def test_a_search_the_server_answered_in_part_is_asked_again(
        listener: Any, proxy: SubsonicProxy) -> None:
    """The server hiccups in the middle of a search: "ada holm" finds the artist, then asking
    for their album's songs fails. The search shows what it has; the same search a moment
    later (the server well again) asks again and finds the songs, and that whole answer is
    kept."""
    proxy.fail("getAlbum")
    first = await search(listener, "ada holm")
    assert names(first["artists"]) == ["Ada Holm"] and first["tracks"] == []
    again = await search(listener, "ada holm")
    assert names(again["tracks"]) == ROCK and again["notice"] is None
    assert proxy.count("search3", query="ada holm") == 2
    await search(listener, "ada holm")
    assert proxy.count("search3", query="ada holm") == 2


async def test_the_same_search_twice_at_once_asks_the_server_once(
        listener: Any, proxy: SubsonicProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same query sent again while the server still answers it (a results page opened as
    the box's search is on its way, a double tap) waits for that answer rather than asking the
    server again; both find the songs."""
    asking: list[str] = []  # the queries this node set out to answer from the server
    searched = SubsonicSearch._searched

    async def noted(self: SubsonicSearch, username: str, connection: Any, query: str,
                    count: int) -> Any:
        asking.append(query)
        return await searched(self, username, connection, query, count)

    monkeypatch.setattr(SubsonicSearch, "_searched", noted)
    proxy.hold()  # the server is slow: the first search3 waits there
    first = asyncio.ensure_future(search(listener, "rock song"))
    await wait_for(lambda: proxy.count("search3", query="rock song") == 1, "the first search3")
    second = asyncio.ensure_future(search(listener, "Rock Song"))
    await wait_for(lambda: len(asking) == 2, "the second search under way")
    proxy.release()
    for found in await asyncio.gather(first, second):
        assert names(found["tracks"]) == ROCK and found["notice"] is None
    assert len(proxy.calls_of("search3")) == 1


async def test_a_query_of_title_and_artist_words_finds_the_songs(listener: Any,
                                                                 proxy: SubsonicProxy) -> None:
    """Supysonic matches a query as a whole within one field: "holm rock" (her name, their
    title) is nobody's title. Its words are searched too, and the hits kept are those matching
    every word across title, artist and album, case and accents aside."""
    found = await search(listener, "holm rock")
    assert names(found["tracks"]) == ROCK and found["notice"] is None
    assert names(found["albums"]) == ["Rock Album"]
    assert found["artists"] == []  # "Ada Holm" is not "rock"
    assert names((await search(listener, "Röck HOLM"))["tracks"]) == ROCK
    assert names((await search(listener, "ada holm song 2 rock"))["tracks"]) == ["Rock Song 2"]
    # words that match no song together find nothing: Ada Holm plays no jazz
    nothing = await search(listener, "holm jazz")
    assert nothing["tracks"] == nothing["albums"] == nothing["artists"] == []
    # at most three words (the longest) are searched one by one, side by side, and a query is
    # asked once: "holm" and "rock" were asked before (cached), "song" was not
    asked = [call["query"] for call in proxy.calls_of("search3")]
    assert asked.count("ada holm song 2 rock") == 1
    words = ("ada", "holm", "song", "2", "rock")
    assert sorted(q for q in asked if q in words) == ["holm", "rock", "song"]


async def test_a_query_in_another_case_does_not_reach_the_server_again(
        listener: Any, proxy: SubsonicProxy) -> None:
    """Servers match and Encore keeps hits case aside: "Rock Song" after "rock song" is the
    same question, answered once (its words too, when they are searched one by one)."""
    first = await search(listener, "rock song")
    again = await search(listener, "Rock SONG")
    assert names(again["tracks"]) == names(first["tracks"]) == ROCK
    assert len(proxy.calls_of("search3")) == 1
    await search(listener, "holm rock")  # found nothing whole: its words are searched
    words = len(proxy.calls_of("search3"))
    assert names((await search(listener, "HOLM Rock rock"))["tracks"]) == ROCK
    assert [c["query"] for c in proxy.calls_of("search3")[words:]] == ["HOLM Rock rock"]


async def test_a_burst_of_searches_keeps_a_few_calls_at_the_listeners_server(
        client: Any, auth: Any, supysonic: SupysonicServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone typing fast (or a script) sends many searches at once, each asking the server
    several calls: at most CALLS_IN_FLIGHT of them are at the server at any moment, and every
    search still finds its songs."""
    monkeypatch.setattr(subsonic_search, "SEARCH_WAIT_S", 60.0)  # a busy machine: none left out
    proxy = SubsonicProxy(supysonic.url, delay=0.1)  # calls sent together meet at the server
    try:
        await auth.signup()
        assert (await client.post("/api/subsonic/connect", json={
            "url": proxy.url, "username": supysonic.username,
            "password": supysonic.password})).status_code == 200
        by_artist = {"ada holm": "Rock", "milo reyes": "Electronic", "iris okafor": "Jazz",
                     "theo lind": "Folk"}
        wanted = {**{q: g for q, g in by_artist.items()},
                  **{f"{g.lower()} song": g for g in by_artist.values()}, "holm rock": "Rock"}
        answers = await asyncio.gather(*(search(client, q) for q in wanted))
        for (query, genre), found in zip(wanted.items(), answers, strict=True):
            assert names(found["tracks"]) == [f"{genre} Song {n}" for n in range(1, 5)], query
            assert found["notice"] is None, query
        assert len(proxy.calls) > 2 * CALLS_IN_FLIGHT
        assert 1 < proxy.most_at_once <= CALLS_IN_FLIGHT
    finally:
        proxy.close()


async def test_a_page_of_covers_keeps_a_few_at_the_listeners_server_and_no_search_waits(
        listener: Any, proxy: SubsonicProxy) -> None:
    """A page of hits shows a cover each, in the sizes the page asks: they wait their turn for
    the listener's COVERS_IN_FLIGHT cover fetches at the server and all come; a cover kept from
    before answers at once, however many wait; and a search typed meanwhile finds its songs
    without waiting behind the covers (it would give up after SEARCH_WAIT_S)."""
    tracks = (await search(listener, "song"))["tracks"]
    covers = sorted({image["url"] for t in tracks for image in t["album"]["images"]})
    kept = covers.pop()
    assert (await listener.get(kept)).status_code == 200
    assert len(covers) > 2 * CALLS_IN_FLIGHT
    proxy.hold("getCoverArt")  # the server is slow with images: each cover waits there
    page = [asyncio.ensure_future(listener.get(url)) for url in covers]
    await wait_for(lambda: proxy.at_once_of["getCoverArt"] >= COVERS_IN_FLIGHT,
                   "the first covers at the server")
    before = proxy.count("getCoverArt")
    again = asyncio.ensure_future(listener.get(kept))
    await wait_for(again.done, "the kept cover while the others wait")
    assert again.result().status_code == 200 and proxy.count("getCoverArt") == before
    typed = await search(listener, "ada holm")
    assert names(typed["tracks"]) == ROCK and typed["notice"] is None
    assert proxy.count("getCoverArt") == before  # the covers still wait
    proxy.release()
    assert [a.status_code for a in await asyncio.gather(*page)] == [200] * len(covers)
    assert proxy.count("getCoverArt") == len(covers) + 1
    assert proxy.most_at_once_of["getCoverArt"] == COVERS_IN_FLIGHT


async def test_a_search_asks_songs_of_a_few_albums_of_its_artist_the_page_of_all(
        client: Any, auth: Any, prolific: SupysonicServer) -> None:
    """A search that finds an artist adds their songs, from at most SEARCH_ARTIST_ALBUMS of
    their albums (a search costs the server a bounded number of calls); their page has them
    all."""
    proxy = SubsonicProxy(prolific.url)
    try:
        await auth.signup()
        assert (await client.post("/api/subsonic/connect", json={
            "url": proxy.url, "username": prolific.username,
            "password": prolific.password})).status_code == 200
        found = await search(client, "nora vale")
        assert names(found["artists"]) == ["Nora Vale"]
        assert len(found["tracks"]) == SEARCH_ARTIST_ALBUMS < ALBUMS
        assert {t["artists"][0]["name"] for t in found["tracks"]} == {"Nora Vale"}
        assert proxy.count("getAlbum") == SEARCH_ARTIST_ALBUMS
        page = await (await client.get(f"/api/artists/{found['artists'][0]['id']}")).get_json()
        assert len(page["tracks"]) == len(page["albums"]) == ALBUMS
    finally:
        proxy.close()
