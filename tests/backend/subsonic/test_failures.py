"""A Subsonic server that is down, slow, or answers `status: failed` with any error code leaves
the rest of Encore working: the feed answers (last songs, else the demo catalog) with a notice
saying why, within a bounded time, and listening is still stored."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from backend import create_app
from backend.sources import subsonic as subsonic_source
from backend.subsonic import service as subsonic_service
from backend.subsonic.errors import MESSAGES
from tests.conftest import ApiClient, AuthActions
from tests.fakes.subsonic import RunningSubsonic


async def feed(client: Any, **params: Any) -> dict[str, Any]:
    answer = await client.get("/api/feed", query_string={"limit": 20, **params})
    assert answer.status_code == 200, await answer.get_data(as_text=True)
    body: dict[str, Any] = await answer.get_json()
    return body


@pytest.mark.parametrize("code", sorted(MESSAGES))
async def test_every_error_code_gives_the_demo_catalog_and_says_why(
        listener: Any, server: RunningSubsonic, code: int) -> None:
    server.state.set(fail_code=code)
    body = await feed(listener)
    assert body["source"] == "demo" and len(body["tracks"]) == 20
    assert MESSAGES[code] in body["notice"] and f"error {code}" in body["notice"]
    assert "Playing the demo catalog" in body["notice"]


async def test_a_server_going_down_keeps_the_last_songs(listener: Any, server: RunningSubsonic,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(subsonic_source, "CANDIDATE_TTL_S", 0)  # every feed asks the server
    before = await feed(listener)
    assert before["source"] == "subsonic"
    server.stop()  # the server is gone: connections refused
    body = await feed(listener, refresh=1)
    assert body["source"] == "subsonic" and body["tracks"]
    assert {t["id"] for t in body["pool"]} <= {t["id"] for t in before["pool"]}
    assert "cannot be reached" in body["notice"] and "last Subsonic songs" in body["notice"]
    # audio of a track on the dead server is a clear 502, not a 500
    audio = await listener.get(before["tracks"][0]["audio_url"])
    assert audio.status_code == 502
    assert (await audio.get_json())["error"]["code"] == "subsonic_unreachable"
    # and listening is still stored, scrobbles simply cannot reach the server
    track = before["tracks"][0]
    stored = await listener.post("/api/interactions", json={"interactions": [{
        "id": str(uuid.uuid4()), "track_id": track["id"], "type": "finished",
        "position_ms": track["duration_ms"], "duration_ms": track["duration_ms"],
        "at": int(time.time() * 1000)}]})
    assert stored.status_code == 200 and len((await stored.get_json())["accepted"]) == 1


async def test_a_slow_server_costs_a_bounded_wait(listener: Any, server: RunningSubsonic) -> None:
    server.state.set(latency_s=3.0)  # slower than ENCORE_SUBSONIC_TIMEOUT_S (1 s)
    body = await feed(listener)
    assert body["source"] == "demo"
    assert "did not answer in time" in body["notice"]


async def test_a_proxy_error_page_is_not_mistaken_for_songs(listener: Any,
                                                            server: RunningSubsonic) -> None:
    server.state.set(http_status=502)
    body = await feed(listener)
    assert body["source"] == "demo" and "answered HTTP 502" in body["notice"]


async def test_the_rest_of_encore_works_meanwhile(listener: Any, server: RunningSubsonic) -> None:
    server.state.set(fail_code=0)
    assert (await listener.get("/api/me")).status_code == 200
    assert (await listener.get("/api/feed?source=demo")).status_code == 200
    assert (await listener.get("/api/model")).status_code == 200
    assert (await listener.get("/healthz")).status_code == 200


async def test_a_slow_servers_songs_land_in_the_next_feed(
        listener: Any, server: RunningSubsonic, monkeypatch: pytest.MonkeyPatch) -> None:
    """Slower than a feed waits, within the request timeout: this feed goes on without it, the
    asking goes on, and a later feed has the songs."""
    monkeypatch.setattr(subsonic_source, "FEED_WAIT_S", 0.3)
    server.state.set(latency_s=0.4)
    body = await feed(listener)
    assert body["source"] == "demo" and "slow to answer" in body["notice"]
    server.state.set(latency_s=0.0)
    deadline = time.monotonic() + 15
    while (body := await feed(listener))["source"] != "subsonic":
        assert time.monotonic() < deadline, body["notice"]
        await asyncio.sleep(0.2)
    assert body["notice"] is None and body["tracks"]


async def test_a_slow_server_wide_library_never_holds_a_feed(
        tmp_path: Path, server: RunningSubsonic, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(subsonic_service, "SHARED_WAIT_S", 0.2)
    server.state.set(latency_s=0.5)  # each sign-in request: slower than the wait
    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data",
                      "SUBSONIC_URL": server.url, "SUBSONIC_USER": "listener",
                      "SUBSONIC_PASSWORD": "listen-password"})
    async with app.test_app():
        client = ApiClient(app.test_client())
        await AuthActions(client).signup()
        body = await feed(client)
        assert body["source"] == "demo" and "not signed in yet" in body["notice"]
        deadline = time.monotonic() + 15
        while (body := await feed(client))["source"] != "subsonic":
            assert time.monotonic() < deadline, body["notice"]
            await asyncio.sleep(0.2)
        me = await (await client.get("/api/me")).get_json()
        assert me["subsonic"]["scope"] == "server" and me["subsonic"]["connected"]
