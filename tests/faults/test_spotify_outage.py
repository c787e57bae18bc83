"""Spotify unreachable, down or rate limiting (the emulator's switches) while a connected
listener asks for the feed: it falls back to the candidates cached from an earlier fetch, else
to the demo catalog, says so in `notice`, never answers 500 and never waits out a long
Retry-After. The web node runs under real Hypercorn; the browser is httpx with a cookie."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypercorn.asyncio import serve
from hypercorn.config import Config as HypercornConfig

from backend import create_app
from backend.app_types import EncoreApp
from backend.sources import CANDIDATE_TTL_S
from tests.backend.test_spotify import REDIRECT, agree
from tests.dynalite import free_port
from tests.fakes.spotify.runner import RunningEmulator

from .conftest import signup, until

FALLBACK_WITHIN_S = 4.0  # below the 5 s bound on waiting out a 429 inside one request


def _outage(emulator: RunningEmulator) -> None:
    emulator.state.set(fail_all=True)  # every Web API and token request answers 503


def _rate_limited(emulator: RunningEmulator) -> None:
    # One request per two minutes: the next one gets 429 with a Retry-After far beyond 5 s.
    emulator.state.set(rate_limit=1, rate_window=120.0)


def _unreachable(emulator: RunningEmulator) -> None:
    emulator.stop()  # connection refused


FAILURES: dict[str, Callable[[RunningEmulator], None]] = {
    "outage": _outage, "rate_limited": _rate_limited, "unreachable": _unreachable,
}


@pytest.fixture
def emulator() -> Any:
    with RunningEmulator({"redirect_uris": [REDIRECT], "new_app_mode": True}) as running:
        yield running


@pytest.fixture
async def web(tmp_path: Path, emulator: RunningEmulator) -> AsyncIterator[tuple[EncoreApp, str]]:
    """(app, base URL): a web node served by Hypercorn in this event loop."""
    app = create_app({
        "DATA_DIR": tmp_path / "data",
        "SPOTIFY_CLIENT_ID": emulator.state.client.client_id,
        "SPOTIFY_ACCOUNTS_URL": emulator.url,
        "SPOTIFY_API_URL": f"{emulator.url}/v1",
        "SPOTIFY_REDIRECT_URI": REDIRECT,
    })
    config = HypercornConfig()
    url = f"http://127.0.0.1:{free_port()}"
    config.bind = [url.removeprefix("http://")]
    config.accesslog = None
    stop = asyncio.Event()
    server = asyncio.create_task(serve(app, config, shutdown_trigger=stop.wait))  # type: ignore[arg-type]

    async def answering() -> bool:
        try:
            async with httpx.AsyncClient() as http:
                return (await http.get(f"{url}/healthz")).status_code == 200
        except httpx.TransportError:
            return False

    await until(answering, 15, "the web node answering")
    yield app, url
    stop.set()
    await server


async def _connect_spotify(browser: httpx.AsyncClient, url: str) -> None:
    await signup(browser, url)
    login = await browser.get(f"{url}/auth/spotify/login")
    assert login.status_code == 302
    params = await asyncio.to_thread(agree, login.headers["Location"])
    callback = await browser.get(f"{url}/auth/spotify/callback", params=params)
    assert callback.status_code == 302, callback.text


async def _feed(browser: httpx.AsyncClient, url: str) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    answer = await browser.get(f"{url}/api/feed")
    assert answer.status_code == 200, answer.text
    return answer.json(), time.monotonic() - started


@pytest.mark.parametrize("failure", list(FAILURES))
async def test_feed_serves_cached_spotify_songs_with_a_notice_when_spotify_fails(
    web: tuple[EncoreApp, str], emulator: RunningEmulator, browser: httpx.AsyncClient,
    failure: str,
) -> None:
    """Songs fetched earlier keep the feed going once their 10-minute cache has run out and
    Spotify then fails: same Spotify songs, a notice saying why, no 500, no long wait."""
    app, url = web
    await _connect_spotify(browser, url)
    first, _ = await _feed(browser, url)
    assert first["source"] == "spotify" and first["notice"] is None
    for username, (fetched_at, ids) in list(app.sources._candidates.items()):
        app.sources._candidates[username] = (fetched_at - CANDIDATE_TTL_S - 1, ids)
    FAILURES[failure](emulator)
    for _ in range(2):  # and again: still no 500 while Spotify stays down
        feed, took = await _feed(browser, url)
        assert took < FALLBACK_WITHIN_S
        assert feed["source"] == "spotify" and "Spotify" in feed["notice"]
        assert len(feed["tracks"]) == 30
        assert {t["id"] for t in feed["pool"]} <= {t["id"] for t in first["pool"]}
    if failure == "rate_limited":
        assert emulator.state.counters["rate_limited"] >= 1


@pytest.mark.parametrize("failure", list(FAILURES))
async def test_feed_falls_back_to_the_demo_catalog_when_nothing_is_cached(
    web: tuple[EncoreApp, str], emulator: RunningEmulator, browser: httpx.AsyncClient,
    failure: str,
) -> None:
    """A first feed while Spotify fails: the demo catalog, a notice, no 500, no long wait."""
    _, url = web
    await _connect_spotify(browser, url)
    FAILURES[failure](emulator)
    feed, took = await _feed(browser, url)
    assert took < FALLBACK_WITHIN_S
    assert feed["source"] == "demo" and "demo" in feed["notice"]
    assert len(feed["tracks"]) == 30 and all(t["source"] == "demo" for t in feed["tracks"])
    if failure == "rate_limited":
        assert emulator.state.counters["rate_limited"] >= 1


async def test_rate_limited_feed_leaves_spotify_alone_until_retry_after(
    web: tuple[EncoreApp, str], emulator: RunningEmulator, browser: httpx.AsyncClient
) -> None:
    """After a 429 with a two-minute Retry-After, further feeds fall back without asking
    Spotify again (asking while rate limited only prolongs the limit)."""
    _, url = web
    await _connect_spotify(browser, url)
    _rate_limited(emulator)
    feed, _ = await _feed(browser, url)
    assert feed["notice"] and emulator.state.counters["rate_limited"] == 1
    asked = emulator.state.counters["api_requests"]
    for _ in range(3):
        feed, _ = await _feed(browser, url)
        assert feed["notice"]
    assert emulator.state.counters["api_requests"] == asked
