"""A listener with a local folder and a Subsonic account picks which sources feed the queue
(settings `sources`, the settings page's "Play music from"): both by default, one when picked,
and a source they do not have is refused in words."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ApiClient, AuthActions
from tests.fakes.subsonic import RunningSubsonic, run_subsonic
from tests.library.media import make_track, tone


@pytest.fixture
def server() -> Iterator[RunningSubsonic]:
    with run_subsonic(catalog={"artists": 4, "albums_per_artist": 1}) as running:  # 24 songs
        yield running


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    music = tmp_path / "Music"
    for n in range(6):
        make_track(music, f"t{n}", "flac", signal=tone(2.0, 300 + 40 * n), title=f"Local {n}",
                   artist=f"Artist {n}")
    return {"TESTING": True, "DATA_DIR": tmp_path / "data", "LIBRARY_DIRS": [music],
            "ANALYSIS_WORKERS": 0, "SUBSONIC_ALLOWED_HOSTS": ["127.0.0.1"]}


async def feed_sources(client: ApiClient) -> tuple[str, set[str]]:
    body = await (await client.get("/api/feed?limit=40")).get_json()
    return body["source"], {t["source"] for t in body["pool"]}


async def test_the_listener_picks_the_sources_of_the_queue(
        client: ApiClient, auth: AuthActions, server: RunningSubsonic) -> None:
    await auth.signup()
    deadline = time.monotonic() + 30
    while (await (await client.get("/api/library/status")).get_json())["tracks"] < 6:
        assert time.monotonic() < deadline, "the scan"
        await asyncio.sleep(0.05)
    answer = await client.post("/api/subsonic/connect", json={
        "url": server.url, "username": "listener", "password": "listen-password"})
    assert answer.status_code == 200
    status = await (await client.get("/api/library/status")).get_json()
    assert sorted(status["sources"]) == ["local", "subsonic"]

    assert await feed_sources(client) == ("mixed", {"local", "subsonic"})
    for only in ("local", "subsonic"):
        saved = await client.patch("/api/me/settings", json={"sources": [only]})
        assert saved.status_code == 200 and (await saved.get_json())["sources"] == [only]
        assert await feed_sources(client) == (only, {only})
    await client.patch("/api/me/settings", json={"sources": []})  # empty: every source
    assert await feed_sources(client) == ("mixed", {"local", "subsonic"})

    bad = await client.patch("/api/me/settings", json={"sources": ["Local Files!"]})
    assert bad.status_code == 422
