"""A listener with two Subsonic servers, their own account on the OpenSubsonic emulator and this
Encore's library on a real Supysonic: when one is slow or failing, a search still answers at
once with the other's songs and says which server was left out; its artist and album pages
say the server failed (502), and an id it does not know is a 404."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fakes.subsonic import RunningSubsonic
from tests.supysonic import SupysonicServer

from .conftest import search

ROCK = [f"Rock Song {n}" for n in range(1, 5)]


@pytest.fixture
def app_config(tmp_path: Path, supysonic: SupysonicServer) -> dict[str, Any]:
    return {"TESTING": True, "DATA_DIR": tmp_path / "data", "SUBSONIC_URL": supysonic.url,
            "SUBSONIC_USER": supysonic.username, "SUBSONIC_PASSWORD": supysonic.password,
            "SUBSONIC_ALLOWED_HOSTS": ["127.0.0.1"]}


async def test_both_servers_are_searched(listener: Any, server: RunningSubsonic) -> None:
    song = next(iter(server.state.catalog.songs.values()))
    body = await search(listener, song.title)
    assert song.title in {t["name"] for t in body["tracks"]} and body["notice"] is None
    body = await search(listener, "rock song")
    assert sorted(t["name"] for t in body["tracks"]) == ROCK and body["notice"] is None


@pytest.mark.parametrize(("switch", "said"), [
    ({"latency_s": 5.0}, "did not answer in time"),
    ({"fail_code": 0, "fail_methods": ["search3"]}, "reported an error"),
    ({"http_status": 502}, "answered HTTP 502"),
], ids=["slow", "failing", "proxy error"])
async def test_a_slow_or_failing_server_leaves_the_others_hits(
        listener: Any, server: RunningSubsonic, switch: dict[str, Any], said: str) -> None:
    server.state.set(**switch)
    body = await search(listener, "rock song")
    assert sorted(t["name"] for t in body["tracks"]) == ROCK
    assert said in body["notice"] and "left out of this search" in body["notice"]


async def test_pages_of_a_server_that_is_down_say_so(listener: Any,
                                                     server: RunningSubsonic) -> None:
    song = next(iter(server.state.catalog.songs.values()))
    track = next(t for t in (await search(listener, song.title))["tracks"]
                 if t["name"] == song.title)
    album_id = track["album"]["id"]
    assert (await listener.get(f"/api/albums/{album_id}")).status_code == 200
    server.state.set(http_status=502)
    for path in (f"/api/albums/{album_id}", f"/api/artists/{track['artists'][0]['id']}"):
        answer = await listener.get(path)
        assert answer.status_code == 502, path
        error = (await answer.get_json())["error"]
        assert error["code"] == "subsonic_unreachable" and "answered HTTP 502" in error["message"]
    server.state.set(http_status=None)
    missing = await listener.get(f"/api/albums/{album_id}x")
    assert missing.status_code == 404
