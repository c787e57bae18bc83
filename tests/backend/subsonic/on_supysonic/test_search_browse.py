"""Search and the artist and album pages over a listener's own Subsonic account, on a real
server (Supysonic 0.7.9, which matches `search3` on titles and names only): its songs are found
by title and by artist, and its artists and albums open with their songs."""

from __future__ import annotations

from typing import Any

from tests.supysonic import LIBRARY, SupysonicServer

from ..conftest import search

ROCK = [f"Rock Song {n}" for n in range(1, 5)]  # Ada Holm's "Rock Album"




def names(items: list[dict[str, Any]]) -> list[str]:
    return sorted(i["name"] for i in items)


async def test_search_finds_the_servers_songs_by_title_and_by_artist(
        listener: Any, supysonic: SupysonicServer) -> None:
    by_title = await search(listener, "rock song")
    assert names(by_title["tracks"]) == ROCK
    assert {t["source"] for t in by_title["tracks"]} == {"subsonic"}
    by_artist = await search(listener, "ada holm")
    assert names(by_artist["artists"]) == ["Ada Holm"] and names(by_artist["tracks"]) == ROCK
    folk = await search(listener, "folk")
    assert by_title["notice"] is by_artist["notice"] is folk["notice"] is None  # no server left out
    assert names(folk["albums"]) == ["Folk Album"]
    assert names(folk["tracks"]) == [f"Folk Song {n}" for n in range(1, 5)]
    # a found song plays through Encore, byte for byte
    track = by_title["tracks"][0]
    song = next(s for s in LIBRARY if s.title == track["name"])
    audio = await listener.get(track["audio_url"])
    assert audio.status_code == 200
    assert await audio.get_data() == (supysonic.music / song.path).read_bytes()


async def test_artist_and_album_pages_list_the_servers_songs(listener: Any) -> None:
    track = next(t for t in (await search(listener, "rock song"))["tracks"]
                 if t["name"] == "Rock Song 2")
    artist = await listener.get(f"/api/artists/{track['artists'][0]['id']}")
    assert artist.status_code == 200
    page = await artist.get_json()
    assert page["name"] == "Ada Holm" and page["source"] == "subsonic"
    assert names(page["tracks"]) == ROCK
    assert [a["name"] for a in page["albums"]] == ["Rock Album"]
    album = await listener.get(f"/api/albums/{track['album']['id']}")
    assert album.status_code == 200
    page = await album.get_json()
    assert page["name"] == "Rock Album" and [a["name"] for a in page["artists"]] == ["Ada Holm"]
    assert [t["name"] for t in page["tracks"]] == ROCK  # in the album's order
    # the artist search hit opens the same page
    hit = (await search(listener, "ada holm"))["artists"][0]
    assert hit["id"] == track["artists"][0]["id"]


async def test_ids_that_name_nothing_are_404(listener: Any) -> None:
    track = (await search(listener, "rock song"))["tracks"][0]
    key = track["id"].split("-")[1]
    for path in (f"/api/artists/subsonic-{key}-artist-no-such-artist",
                 f"/api/albums/subsonic-{key}-album-%00%ff",
                 "/api/albums/subsonic-0123456789-album-1",  # not a server of the listener
                 "/api/artists/subsonic-nonsense",
                 f"/api/albums/subsonic-{key}-album-{'9' * 200}"):
        answer = await listener.get(path)
        assert answer.status_code == 404, path
        assert (await answer.get_json())["error"]["code"] in ("artist_not_found",
                                                               "album_not_found"), path
