"""The OpenSubsonic emulator's answers validated against the OpenSubsonic OpenAPI reference
(../shared/reference/opensubsonic/openapi), so what Encore's client is tested against has the
shapes real OpenSubsonic servers must send."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fakes.subsonic import RunningSubsonic, run_subsonic
from tests.fakes.subsonic.reference import ROOT, Reference

if not (ROOT / "openapi.json").exists():
    pytest.skip(f"no OpenSubsonic reference at {ROOT}", allow_module_level=True)
pytest.importorskip("jsonschema")

SIGNED = {"v": "1.16.1", "c": "conformance", "f": "json", "u": "listener",
          "p": "listen-password"}


@pytest.fixture(scope="module")
def reference() -> Reference:
    return Reference()


@pytest.fixture(scope="module")
def server() -> Iterator[RunningSubsonic]:
    with run_subsonic() as running:
        yield running


@pytest.fixture(scope="module")
def call(server: RunningSubsonic) -> Iterator[Any]:
    with httpx.Client(base_url=f"{server.url}/rest") as http:

        def fetch(method: str, signed: bool = True, **params: Any) -> Any:
            answer = http.get(f"/{method}", params={**(SIGNED if signed else
                                                       {"f": "json"}), **params})
            assert answer.headers["content-type"].startswith("application/json"), answer.text
            return answer.json()

        yield fetch


def song_ids(server: RunningSubsonic) -> list[str]:
    return list(server.state.catalog.songs)


def conforms(reference: Reference, method: str, body: Any) -> None:
    problems = reference.check_response(method, body)
    assert not problems, "\n".join(problems)


def test_system(reference: Reference, call: Any) -> None:
    conforms(reference, "ping", call("ping"))
    extensions = call("getOpenSubsonicExtensions", signed=False)
    conforms(reference, "getOpenSubsonicExtensions", extensions)
    names = {e["name"] for e in extensions["subsonic-response"]["openSubsonicExtensions"]}
    assert {"apiKeyAuthentication", "playbackReport", "sonicSimilarity"} <= names


@pytest.mark.parametrize("method,params,key", [
    ("getRandomSongs", {"size": 20}, "randomSongs"),
    ("getRandomSongs", {"size": 5, "genre": "Jazz"}, "randomSongs"),
    ("getSongsByGenre", {"genre": "Rock", "count": 30}, "songsByGenre"),
    ("getGenres", {}, "genres"),
    ("getAlbumList2", {"type": "random", "size": 10}, "albumList2"),
    ("getAlbumList2", {"type": "newest", "size": 3, "offset": 2}, "albumList2"),
])
def test_lists(reference: Reference, call: Any, method: str, params: dict[str, Any],
               key: str) -> None:
    body = call(method, **params)
    conforms(reference, method, body)
    assert body["subsonic-response"][key]


def test_songs_albums_and_similarity(reference: Reference, call: Any,
                                     server: RunningSubsonic) -> None:
    song = server.state.catalog.songs[song_ids(server)[0]]
    conforms(reference, "getSong", call("getSong", id=song.id))
    conforms(reference, "getAlbum", call("getAlbum", id=song.album.id))
    artist = call("getArtist", id=song.artist.id)
    conforms(reference, "getArtist", artist)
    assert song.album.id in {a["id"] for a in artist["subsonic-response"]["artist"]["album"]}
    found = call("search3", query=song.title.upper(), songCount=5)
    conforms(reference, "search3", found)
    assert song.id in {s["id"] for s in found["subsonic-response"]["searchResult3"]["song"]}
    similar = call("getSimilarSongs2", id=song.artist.id, count=20)
    conforms(reference, "getSimilarSongs2", similar)
    assert len(similar["subsonic-response"]["similarSongs2"]["song"]) == 20
    top = call("getTopSongs", artist=song.artist.name, count=5)
    conforms(reference, "getTopSongs", top)
    assert {s["artist"] for s in top["subsonic-response"]["topSongs"]["song"]} == {
        song.artist.name}
    sonic = call("getSonicSimilarTracks", id=song.id, count=7)
    conforms(reference, "getSonicSimilarTracks", sonic)
    assert len(sonic["subsonic-response"]["sonicMatch"]) == 7


def test_annotation(reference: Reference, call: Any, server: RunningSubsonic) -> None:
    song_id = song_ids(server)[1]
    conforms(reference, "scrobble", call("scrobble", id=song_id, submission="true"))
    conforms(reference, "star", call("star", id=song_id))
    conforms(reference, "reportPlayback", call("reportPlayback", mediaId=song_id,
                                               mediaType="song", positionMs=1000,
                                               state="playing"))
    now = call("getNowPlaying")
    conforms(reference, "getNowPlaying", now)
    assert now["subsonic-response"]["nowPlaying"]["entry"][0]["id"] == song_id
    starred = call("getStarred2")
    conforms(reference, "getStarred2", starred)


@pytest.mark.parametrize("params,code", [
    ({"u": "listener", "p": "wrong"}, 40),
    ({"apiKey": "not-a-key"}, 44),
    ({"apiKey": "listener-api-key", "u": "listener"}, 43),
    ({"u": "listener"}, 10),
])
def test_errors(reference: Reference, server: RunningSubsonic, params: dict[str, str],
                code: int) -> None:
    body = httpx.get(f"{server.url}/rest/ping",
                     params={"v": "1.16.1", "c": "conformance", "f": "json", **params}).json()
    conforms(reference, "ping", body)
    assert body["subsonic-response"]["status"] == "failed"
    assert body["subsonic-response"]["error"]["code"] == code


def test_not_found(reference: Reference, call: Any) -> None:
    body = call("getSong", id="no-such-song")
    conforms(reference, "getSong", body)
    assert body["subsonic-response"]["error"]["code"] == 70
