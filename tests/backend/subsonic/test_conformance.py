"""Every request Encore's Subsonic client makes, checked against the OpenSubsonic reference:
declared parameters only, required ones present, values of the declared type and range, and
exactly one sign-in mechanism (API key; user + token + salt; user + password) plus v, c, f=json.
The requests are the ones the emulator received over HTTP, as a real server would."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx2
import pytest

from backend.subsonic.auth import Credentials
from backend.subsonic.client import SubsonicClient, new_http_client
from backend.subsonic.errors import SubsonicError
from tests.fakes.subsonic import RunningSubsonic, run_subsonic
from tests.fakes.subsonic.reference import ROOT, Reference

if not (ROOT / "openapi.json").exists():
    pytest.skip(f"no OpenSubsonic reference at {ROOT}", allow_module_level=True)
pytest.importorskip("jsonschema")

SIGN_INS = {
    "token": Credentials("listener", password="listen-password"),
    "apikey": Credentials(api_key="listener-api-key"),
}


@pytest.fixture(scope="module")
def server() -> Iterator[RunningSubsonic]:
    with run_subsonic() as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    client = new_http_client()
    yield client
    await client.aclose()


async def every_call(subsonic: SubsonicClient, server: RunningSubsonic) -> None:
    song = next(iter(server.state.catalog.songs.values()))
    await subsonic.ping()
    await subsonic.random_songs(50)
    await subsonic.random_songs(20, genre=song.genre)
    await subsonic.songs_by_genre(song.genre, 30, offset=10)
    await subsonic.genres()
    for kind in ("random", "newest", "frequent", "starred"):
        await subsonic.album_list(kind, 10)
    await subsonic.album_songs(song.album.id)
    await subsonic.song(song.id)
    await subsonic.search(song.title, 20)
    await subsonic.artist_albums(song.artist.id)
    await subsonic.similar_songs(song.artist.id, 40)
    await subsonic.top_songs(song.artist.name, 20)
    await subsonic.sonic_similar(song.id, 20)
    await subsonic.scrobble(song.id, 1_700_000_000_000, submission=True)
    await subsonic.scrobble(song.id, 1_700_000_000_000, submission=False)
    await subsonic.star(song.id)
    await subsonic.unstar(song.id)
    for state in ("starting", "playing", "paused", "stopped"):
        await subsonic.report_playback(song.id, state, 5000)
    stream = await subsonic.open_stream(song.id, "bytes=0-99")
    await stream.aclose()
    await subsonic.cover_art(song.album.cover_art, 300)


@pytest.mark.parametrize("form_post", [True, False], ids=["formPost", "GET"])
@pytest.mark.parametrize("sign_in", ["token", "apikey", "password"])
async def test_requests_conform(http: httpx2.AsyncClient, server: RunningSubsonic,
                                sign_in: str, form_post: bool) -> None:
    server.state.reset()
    if sign_in == "password":  # a server that refuses tokens: the hex password is sent
        server.state.set(token_auth=False)
    if not form_post:
        server.state.set(extensions={k: v for k, v in server.state.switches["extensions"].items()
                                     if k != "formPost"})
    server.state.requests.clear()
    subsonic = SubsonicClient(http, server.url, SIGN_INS.get(sign_in, SIGN_INS["token"]))
    info = await subsonic.negotiate()
    assert info.auth == sign_in
    await every_call(subsonic, server)
    reference = Reference()
    checked = [r for r in server.state.requests if not (r.method == "ping" and any(
        n == "t" for n, _ in r.params) and sign_in == "password")]  # the refused token try
    problems = [p for r in checked
                for p in reference.check_request(r.method, r.params, r.http_method.lower())]
    assert not problems, "\n".join(problems)
    methods = {r.method for r in checked}
    assert len(methods) >= 18, methods  # the check saw every kind of call
    # Under formPost every call, audio and covers too, is a POST with nothing in its URL: no
    # sign-in in any log. The extensions are asked (unsigned) before anything is known.
    for request in checked:
        posted = form_post and request.method != "getOpenSubsonicExtensions"
        assert request.http_method == ("POST" if posted else "GET"), request
        if posted:
            assert request.in_url == [], request


async def test_the_checker_notices_a_bad_request(server: RunningSubsonic) -> None:
    """The conformance check can fail: a request outside the reference is reported."""
    reference = Reference()
    bad = [("v", "1.16.1"), ("c", "encore"), ("f", "xml"), ("u", "a"), ("p", "x"),
           ("apiKey", "k"), ("size", "900"), ("colour", "red")]
    for verb in ("get", "post"):
        problems = reference.check_request("getRandomSongs", bad, verb)
        assert any("sign-in parameters" in p for p in problems)
        assert any("f must be json" in p for p in problems)
        assert any("above the maximum 500" in p for p in problems)
        assert any("colour is not a parameter" in p for p in problems)
    good = [("v", "1.16.1"), ("c", "encore"), ("f", "json"), ("u", "a"), ("p", "x")]
    assert reference.check_request("getRandomSongs", [*good, ("size", "20")], "post") == []
    assert any("required parameter id is missing" in p
               for p in reference.check_request("scrobble", good, "post"))


async def test_failures_are_reported_not_swallowed(http: httpx2.AsyncClient,
                                                   server: RunningSubsonic) -> None:
    server.state.reset()
    subsonic = SubsonicClient(http, server.url, SIGN_INS["token"])
    await subsonic.negotiate()
    server.state.set(extensions={})  # playbackReport withdrawn: reportPlayback is unknown
    with pytest.raises(SubsonicError):
        await subsonic.report_playback(next(iter(server.state.catalog.songs)), "playing", 0)
