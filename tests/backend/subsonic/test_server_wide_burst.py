"""The server-wide Subsonic library (one account for every listener, on Supysonic behind the
counting proxy): a listener's burst of searches keeps at most CALLS_IN_FLIGHT calls at the
server, and two listeners' bursts at once at most twice that (each listener has their own
share, so one cannot hold the server from the others)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backend.sources import subsonic_search
from backend.subsonic.client import CALLS_IN_FLIGHT
from tests.conftest import ApiClient, AuthActions
from tests.subsonic_proxy import SubsonicProxy
from tests.supysonic import SupysonicServer

from .conftest import search

GENRES = ["Rock", "Electronic", "Jazz", "Folk"]


@pytest.fixture
def proxy(supysonic: SupysonicServer) -> Iterator[SubsonicProxy]:
    # each call held 0.3 s there, so calls sent together meet there, on a busy machine too
    running = SubsonicProxy(supysonic.url, delay=0.3)
    yield running
    running.close()


@pytest.fixture
def app_config(tmp_path: Path, supysonic: SupysonicServer,
               proxy: SubsonicProxy) -> dict[str, Any]:
    return {"TESTING": True, "DATA_DIR": tmp_path / "data", "SUBSONIC_URL": proxy.url,
            "SUBSONIC_USER": supysonic.username, "SUBSONIC_PASSWORD": supysonic.password}


async def burst(client: ApiClient, numbers: tuple[int, ...]) -> list[dict[str, Any]]:
    """Searches for songs of these numbers of each genre, all at once; the first hit of each."""
    answers = await asyncio.gather(*(search(client, f"{g.lower()} song {n}")
                                     for g in GENRES for n in numbers))
    assert all(a["notice"] is None for a in answers)
    return [a["tracks"][0]["name"] for a in answers]


async def test_listeners_bursts_on_the_server_wide_library_are_bounded_each(
        app: Any, proxy: SubsonicProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(subsonic_search, "SEARCH_WAIT_S", 60.0)  # a busy machine: none left out
    listeners = [ApiClient(app.test_client()) for _ in range(2)]
    for name, listener in zip(("ada", "grace"), listeners, strict=True):
        await AuthActions(listener).signup(name)
    await search(listeners[0], "warm up")  # the server-wide sign-in, done once
    assert await burst(listeners[0], (1, 2)) == [f"{g} Song {n}" for g in GENRES for n in (1, 2)]
    assert 1 < proxy.most_at_once <= CALLS_IN_FLIGHT
    proxy.most_at_once = 0
    both = await asyncio.gather(*(burst(listener, (3, 4)) for listener in listeners))
    assert both == [[f"{g} Song {n}" for g in GENRES for n in (3, 4)]] * 2
    assert CALLS_IN_FLIGHT < proxy.most_at_once <= 2 * CALLS_IN_FLIGHT
