"""The listener's Subsonic server goes down (Supysonic behind a proxy that stops): every route
that asks it answers the same outage with one code and one sentence, and search and the feed
say that sentence in their notice."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.subsonic_proxy import SubsonicProxy
from tests.supysonic import SupysonicServer

from ..conftest import search


@pytest.fixture
def subsonic_account(proxy: SubsonicProxy, supysonic: SupysonicServer) -> dict[str, str]:
    """The listener's own account is on Supysonic, reached through the proxy."""
    return {"url": proxy.url, "username": supysonic.username, "password": supysonic.password}


async def test_every_route_says_a_stopped_server_the_same_way(
        listener: Any, proxy: SubsonicProxy, subsonic_account: dict[str, str]) -> None:
    track = next(t for t in (await search(listener, "rock song"))["tracks"] if t["album"]["images"])
    key = track["id"].split("-")[1]
    proxy.close()  # the server is gone: connections refused
    down = f"The Subsonic server at {urlsplit(proxy.url).netloc} cannot be reached"
    asks = {
        "audio": listener.get(track["audio_url"]),
        "album page": listener.get(f"/api/albums/{track['album']['id']}"),
        "artist page": listener.get(f"/api/artists/{track['artists'][0]['id']}"),
        "cover": listener.get(track["album"]["images"][0]["url"]),
        "playlists to import": listener.get("/api/playlists/import/subsonic"),
        "playlist import": listener.post("/api/playlists/import",
                                         json={"source": "subsonic", "id": f"{key}:1"}),
        "connect": listener.post("/api/subsonic/connect", json=subsonic_account),
    }
    for route, asked in asks.items():
        answer = await asked
        assert answer.status_code == 502, route
        error = (await answer.get_json())["error"]
        assert error["code"] == "subsonic_unreachable", route
        assert error["message"].startswith(down), route
    # search and the feed answer without the server, saying the same sentence
    assert down in ((await search(listener, "folk"))["notice"] or "")
    feed = await (await listener.get("/api/feed", query_string={"refresh": 1})).get_json()
    assert down in (feed["notice"] or "")
