"""Encore's Subsonic client against the OpenSubsonic emulator over real HTTP: sign-in the way
real clients do it (API key, token, hex password) chosen from what the server offers, every
`status: failed` code in words, and a server that is down, slow, redirected or not Subsonic."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator

import httpx2
import pytest

from backend.subsonic.auth import Credentials
from backend.subsonic.client import SubsonicClient, new_http_client
from backend.subsonic.errors import MESSAGES, SubsonicError
from tests.fakes.subsonic import RunningSubsonic, run_subsonic
from tests.fakes.subsonic.media import cover_png, song_wav

PASSWORD = Credentials("listener", password="listen-password")
API_KEY = Credentials(api_key="listener-api-key")


@pytest.fixture(scope="module")
def server() -> Iterator[RunningSubsonic]:
    with run_subsonic() as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(server: RunningSubsonic) -> None:
    server.state.reset()
    server.state.requests.clear()
    SubsonicClient._ranges_by_get.clear()


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    client = new_http_client()
    yield client
    await client.aclose()


def client(http: httpx2.AsyncClient, server: RunningSubsonic,
           credentials: Credentials = PASSWORD, timeout_s: float = 5.0) -> SubsonicClient:
    return SubsonicClient(http, server.url, credentials, timeout_s=timeout_s)


def sent(server: RunningSubsonic, method: str) -> list[dict[str, str]]:
    return [dict(r.params) for r in server.state.requests_for(method)]


async def test_token_sign_in_on_an_opensubsonic_server(http: httpx2.AsyncClient,
                                                       server: RunningSubsonic) -> None:
    info = await client(http, server).negotiate()
    assert info.auth == "token"
    assert info.open_subsonic and info.type == "encore-emulator"
    assert {"playbackReport", "sonicSimilarity", "apiKeyAuthentication"} <= set(info.extensions)
    ping = sent(server, "ping")[-1]
    assert set(ping) >= {"u", "t", "s"} and "p" not in ping


async def test_salt_is_fresh_for_every_request(http: httpx2.AsyncClient,
                                               server: RunningSubsonic) -> None:
    subsonic = client(http, server)
    await subsonic.negotiate()
    await subsonic.ping()
    await subsonic.ping()
    salts = [p["s"] for p in sent(server, "ping")]
    assert len(salts) == 3 and len(set(salts)) == 3


async def test_api_key_alone(http: httpx2.AsyncClient, server: RunningSubsonic) -> None:
    info = await client(http, server, API_KEY).negotiate()
    assert info.auth == "apikey"
    ping = sent(server, "ping")[-1]
    assert ping["apiKey"] == "listener-api-key"
    assert not {"u", "p", "t", "s"} & set(ping)


async def test_ldap_account_falls_back_to_the_hex_password(http: httpx2.AsyncClient,
                                                           server: RunningSubsonic) -> None:
    server.state.set(token_auth=False)  # error 41 for tokens
    info = await client(http, server).negotiate()
    assert info.auth == "password"
    assert sent(server, "ping")[-1]["p"] == "enc:" + b"listen-password".hex()


async def test_plain_subsonic_server_gets_the_hex_password_at_once(
        http: httpx2.AsyncClient, server: RunningSubsonic) -> None:
    server.state.set(open_subsonic=False, api_version="1.12.0", extensions={})
    subsonic = client(http, server)
    info = await subsonic.negotiate()
    assert (info.auth, info.open_subsonic, info.extensions, info.api_version) == (
        "password", False, {}, "1.12.0")
    pings = sent(server, "ping")
    assert len(pings) == 1 and "t" not in pings[0]  # no token attempt on a 1.12 server
    await subsonic.ping()  # and later calls claim no newer protocol than the server's
    assert sent(server, "ping")[-1]["v"] == "1.12.0"


async def test_wrong_password(http: httpx2.AsyncClient, server: RunningSubsonic) -> None:
    with pytest.raises(SubsonicError) as caught:
        await client(http, server, Credentials("listener", password="nope")).negotiate()
    assert caught.value.code == 40
    assert "Wrong username or password" in caught.value.message
    assert "nope" not in str(caught.value)


async def test_revoked_api_key(http: httpx2.AsyncClient, server: RunningSubsonic) -> None:
    with pytest.raises(SubsonicError) as caught:
        await client(http, server, Credentials(api_key="revoked")).negotiate()
    assert caught.value.code == 44
    assert "API key is not valid" in caught.value.message


async def test_server_that_wants_an_api_key(http: httpx2.AsyncClient,
                                            server: RunningSubsonic) -> None:
    server.state.set(token_auth=False, password_auth=False)
    with pytest.raises(SubsonicError) as caught:
        await client(http, server).negotiate()
    assert caught.value.code == 42
    assert "try an API key" in caught.value.message
    assert "https://music.example.org/settings/api-keys" in caught.value.message  # helpUrl


async def test_form_post_where_offered_then_get_once_refused(http: httpx2.AsyncClient,
                                                             server: RunningSubsonic) -> None:
    """Under `formPost` the sign-in travels in the body, never in a URL; a server that still
    advertises it but answers 405 (a proxy in front that takes no POST) gets GETs instead."""
    subsonic = client(http, server)
    await subsonic.negotiate()
    await subsonic.random_songs(5)
    (posted,) = server.state.requests_for("getRandomSongs")
    assert (posted.http_method, posted.in_url) == ("POST", [])
    assert {"u", "t", "s"} <= dict(posted.params).keys()
    server.state.set(extensions={k: v for k, v in server.state.switches["extensions"].items()
                                 if k != "formPost"})
    assert len(await subsonic.random_songs(5)) == 5
    await subsonic.random_songs(5)
    assert [r.http_method for r in server.state.requests_for("getRandomSongs")] == [
        "POST", "POST", "GET", "GET"]  # one refused POST, then GETs


@pytest.mark.parametrize("code", sorted(MESSAGES))
async def test_every_error_code_in_words(http: httpx2.AsyncClient, server: RunningSubsonic,
                                         code: int) -> None:
    subsonic = client(http, server)
    await subsonic.negotiate()
    server.state.set(fail_code=code)
    with pytest.raises(SubsonicError) as caught:
        await subsonic.random_songs(10)
    assert caught.value.code == code
    assert caught.value.message.startswith(MESSAGES[code])
    assert f"error {code}" in caught.value.message
    assert not caught.value.unreachable


async def test_unknown_error_code(http: httpx2.AsyncClient, server: RunningSubsonic) -> None:
    subsonic = client(http, server)
    await subsonic.negotiate()
    server.state.set(fail_code=99)
    with pytest.raises(SubsonicError, match=r"failed \(error 99"):
        await subsonic.ping()


async def test_down_server(http: httpx2.AsyncClient) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    subsonic = SubsonicClient(http, f"http://127.0.0.1:{port}", PASSWORD, timeout_s=2)
    with pytest.raises(SubsonicError) as caught:
        await subsonic.negotiate()
    assert caught.value.unreachable
    assert f"127.0.0.1:{port} cannot be reached" in caught.value.message


async def test_slow_server_times_out(http: httpx2.AsyncClient, server: RunningSubsonic) -> None:
    server.state.set(latency_s=3.0)
    with pytest.raises(SubsonicError) as caught:
        await client(http, server, timeout_s=0.5).negotiate()
    assert caught.value.unreachable and "did not answer in time" in caught.value.message
    # one timeout, no sign-in attempts after it
    assert [r.method for r in server.state.requests] == ["getOpenSubsonicExtensions"]


async def test_redirects_are_not_followed(http: httpx2.AsyncClient,
                                          server: RunningSubsonic) -> None:
    with run_subsonic() as elsewhere:
        server.state.set(redirect_to=f"{elsewhere.url}/rest/ping")
        with pytest.raises(SubsonicError, match="redirect, which Encore does not follow"):
            await client(http, server).negotiate()
        assert elsewhere.state.requests == []


@pytest.mark.parametrize("switches,expected", [
    ({"http_status": 502}, "answered HTTP 502"),
    ({"http_status": 200}, "did not answer like a Subsonic server"),
])
async def test_not_a_subsonic_answer(http: httpx2.AsyncClient, server: RunningSubsonic,
                                     switches: dict[str, int], expected: str) -> None:
    server.state.set(**switches)
    with pytest.raises(SubsonicError, match=expected):
        await client(http, server).negotiate()


async def test_calls_and_their_effects(http: httpx2.AsyncClient, server: RunningSubsonic) -> None:
    subsonic = client(http, server)
    await subsonic.negotiate()
    songs = await subsonic.random_songs(25)
    assert len(songs) == 25 and all(s["title"] for s in songs)
    first = state_song = server.state.catalog.songs[songs[0]["id"]]
    assert [s["genre"] for s in await subsonic.songs_by_genre(first.genre, 5)] == [
        first.genre] * 5
    assert len(await subsonic.album_list("newest", 4)) == 4
    assert len(await subsonic.album_songs(first.album.id)) == 6
    assert (await subsonic.song(first.id))["title"] == first.title
    assert await subsonic.similar_songs(first.artist.id, 10)
    assert {s["artist"] for s in await subsonic.top_songs(first.artist.name, 3)} == {
        first.artist.name}
    assert len(await subsonic.sonic_similar(first.id, 4)) == 4
    await subsonic.scrobble(first.id, 1_700_000_000_000, submission=True)
    await subsonic.star(first.id)
    await subsonic.report_playback(first.id, "stopped", 1234)
    scrobble = server.state.scrobbles[-1]
    assert (scrobble.song_id, scrobble.time_ms, scrobble.submission) == (
        state_song.id, 1_700_000_000_000, True)
    assert first.id in server.state.accounts["listener"].starred
    assert server.state.reports[-1].position_ms == 1234
    with pytest.raises(SubsonicError) as caught:
        await subsonic.song("missing")
    assert caught.value.not_found


async def test_stream_with_range_and_cover_art(http: httpx2.AsyncClient,
                                               server: RunningSubsonic) -> None:
    subsonic = client(http, server)
    await subsonic.negotiate()
    song = next(iter(server.state.catalog.songs.values()))
    response = await subsonic.open_stream(song.id, "bytes=100-299")
    try:
        body = await response.aread()
    finally:
        await response.aclose()
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 100-299/{song.size}"
    assert len(body) == 200
    assert sent(server, "stream")[-1]["format"] == "raw"
    image, kind = await subsonic.cover_art(song.album.cover_art, 64)
    assert kind == "image/png" and image.startswith(b"\x89PNG")
    with pytest.raises(SubsonicError) as caught:
        await subsonic.open_stream("missing")
    assert caught.value.code == 70


SIGN_IN = {"u", "p", "t", "s", "apiKey"}


async def read_range(subsonic: SubsonicClient, song_id: str, wanted: str
                     ) -> tuple[int, str, bytes]:
    response = await subsonic.open_stream(song_id, wanted)
    try:
        return (response.status_code, response.headers.get("Content-Range", ""),
                await response.aread())
    finally:
        await response.aclose()


@pytest.mark.parametrize("credentials", [PASSWORD, API_KEY], ids=["token", "apikey"])
async def test_audio_and_covers_keep_the_sign_in_out_of_urls(
        http: httpx2.AsyncClient, server: RunningSubsonic, credentials: Credentials) -> None:
    """Under `formPost`, `stream` (with the Range passed on) and `getCoverArt` are POSTs: the
    server's access log sees no sign-in, and the listener still gets the bytes asked for."""
    subsonic = client(http, server, credentials)
    await subsonic.negotiate()
    song = next(iter(server.state.catalog.songs.values()))
    whole = song_wav(song.tone_hz, song.duration)
    assert await read_range(subsonic, song.id, "bytes=100-299") == (
        206, f"bytes 100-299/{len(whole)}", whole[100:300])
    image, kind = await subsonic.cover_art(song.album.cover_art, 64)
    assert kind == "image/png" and image == cover_png(song.album.cover_art, 64)
    media = server.state.requests_for("stream") + server.state.requests_for("getCoverArt")
    assert [(r.method, r.http_method, r.in_url) for r in media] == [
        ("stream", "POST", []), ("getCoverArt", "POST", [])]
    assert all(SIGN_IN & dict(r.params).keys() for r in media)  # signed, in the body


async def test_a_post_range_answered_whole_is_asked_again_by_get(
        http: httpx2.AsyncClient, server: RunningSubsonic) -> None:
    """HTTP defines ranges for GET only, and a server may answer a POST's Range with the whole
    file: the range is asked again by GET (the listener's seek lands where it should), and
    that server's ranges go by GET from then on; a cover stays a POST."""
    server.state.set(post_ranges=False)
    subsonic = client(http, server)
    await subsonic.negotiate()
    song = next(iter(server.state.catalog.songs.values()))
    whole = song_wav(song.tone_hz, song.duration)
    for wanted in ("bytes=1000-1999", "bytes=5000-"):
        status, where, body = await read_range(subsonic, song.id, wanted)
        start = int(wanted[6:].split("-")[0])
        assert (status, where) == (206, f"bytes {start}-{len(body) + start - 1}/{len(whole)}")
        assert body == whole[start:start + len(body)]
    assert [r.http_method for r in server.state.requests_for("stream")] == [
        "POST", "GET", "GET"]
    await subsonic.cover_art(song.album.cover_art, 64)
    assert server.state.requests_for("getCoverArt")[-1].http_method == "POST"


async def test_media_posts_refused_with_405_become_gets(http: httpx2.AsyncClient,
                                                       server: RunningSubsonic) -> None:
    subsonic = client(http, server)
    await subsonic.negotiate()
    server.state.set(extensions={k: v for k, v in server.state.switches["extensions"].items()
                                 if k != "formPost"})  # POSTs now answer 405
    song = next(iter(server.state.catalog.songs.values()))
    status, _, body = await read_range(subsonic, song.id, "bytes=0-99")
    assert (status, len(body)) == (206, 100)
    image, _ = await subsonic.cover_art(song.album.cover_art, 64)
    assert image.startswith(b"\x89PNG")
    assert [r.http_method for r in server.state.requests_for("stream")] == ["POST", "GET"]
    assert [r.http_method for r in server.state.requests_for("getCoverArt")] == ["GET"]
