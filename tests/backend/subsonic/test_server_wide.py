"""A server-wide Subsonic library (ENCORE_SUBSONIC_URL, _USER, _PASSWORD) on a real server,
Supysonic 0.7.9 over real MP3, Ogg and FLAC files: every listener's feed, audio through Encore
byte for byte, and finishes scrobbled on the server."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from backend import create_app
from backend.config import ConfigError
from tests.supysonic import LIBRARY, SupysonicServer, wait_for


@pytest.fixture
def app_config(tmp_path: Path, supysonic: SupysonicServer) -> dict[str, Any]:
    return {"TESTING": True, "DATA_DIR": tmp_path / "data", "SUBSONIC_URL": supysonic.url,
            "SUBSONIC_USER": supysonic.username, "SUBSONIC_PASSWORD": supysonic.password}


async def test_every_listener_gets_the_library(app: Any, client: Any, auth: Any,
                                               supysonic: SupysonicServer) -> None:
    await auth.signup()
    answer = await client.get("/api/feed", query_string={"limit": 10})
    body = await answer.get_json()
    assert body["source"] == "subsonic" and body["notice"] is None
    titles = {s.title for s in LIBRARY}
    assert {t["name"] for t in body["pool"]} <= titles and len(body["tracks"]) >= 8
    candidates = await app.sources.candidates("ada", {}, "subsonic")
    assert sorted(t["name"] for t in candidates.tracks) == sorted(titles)
    me = await (await client.get("/api/me")).get_json()
    status = me["subsonic"]
    assert status["connected"] and status["scope"] == "server" and status["own"] is None
    assert status["server"] == {"type": "subsonic", "version": "1.12.0",
                                "api_version": "1.12.0", "open_subsonic": False,
                                "extensions": []}
    assert status["shared"]["url"] == supysonic.url


async def library(app: Any) -> list[dict[str, Any]]:
    """Every track the library offers the listener (the feed's pool is ranked and spaced by
    artist, so with four artists it shows only some of them at once)."""
    tracks: list[dict[str, Any]] = (await app.sources.candidates("ada", {}, "subsonic")).tracks
    return tracks


async def test_audio_and_cover_through_encore(app: Any, client: Any, auth: Any,
                                              supysonic: SupysonicServer) -> None:
    await auth.signup()
    pool = await library(app)
    song = next(s for s in LIBRARY if s.path.endswith(".flac"))
    track = next(t for t in pool if t["name"] == song.title)
    on_disk = (supysonic.music / song.path).read_bytes()
    whole = await client.get(track["audio_url"])
    assert whole.status_code == 200 and await whole.get_data() == on_disk
    assert whole.headers["Content-Type"] == "audio/flac"
    part = await client.get(track["audio_url"], headers={"Range": "bytes=-1000"})
    assert part.status_code == 206 and await part.get_data() == on_disk[-1000:]
    cover = await client.get(track["album"]["images"][0]["url"])
    assert cover.status_code == 200 and (await cover.get_data())[:2] == b"\xff\xd8"


async def test_a_finish_is_scrobbled_on_the_server(app: Any, client: Any, auth: Any,
                                                   supysonic: SupysonicServer) -> None:
    await auth.signup()
    pool = await library(app)
    track = next(t for t in pool if t["name"] == "Rock Song 3")
    at = int(time.time() * 1000) - 60_000  # heard a minute ago (an offline play, say)
    answer = await client.post("/api/interactions", json={"interactions": [{
        "id": str(uuid.uuid4()), "track_id": track["id"], "type": "finished",
        "position_ms": track["duration_ms"], "duration_ms": track["duration_ms"], "at": at}]})
    assert answer.status_code == 200
    listens = supysonic.listenbrainz
    await wait_for(lambda: "Rock Song 3" in listens.scrobbled(), "Supysonic's scrobble", 30)
    assert [x["listened_at"] for x in listens.listens if x["title"] == "Rock Song 3"] == [
        at / 1000]  # Supysonic passes the time on as given (ms / 1000)


async def test_the_libraries_host_is_allowed_for_own_accounts(app: Any, client: Any, auth: Any,
                                                              supysonic: SupysonicServer) -> None:
    await auth.signup()
    answer = await client.post("/api/subsonic/connect", json={
        "url": supysonic.url, "username": supysonic.username, "password": supysonic.password})
    assert answer.status_code == 200
    status = await answer.get_json()
    assert status["scope"] == "user" and status["own"]["server"]["api_version"] == "1.12.0"
    candidates = await app.sources.candidates("ada", {}, None)
    assert len(candidates.tracks) == len(LIBRARY)  # one server, reached once: no duplicates


def test_half_a_configuration_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ENCORE_SUBSONIC_URL needs ENCORE_SUBSONIC_USER"):
        create_app({"DATA_DIR": tmp_path, "SUBSONIC_URL": "http://127.0.0.1:4533"})
