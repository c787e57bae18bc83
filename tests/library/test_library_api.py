"""A listener with a local folder, through the HTTP API: status, feed, audio with Range,
covers, interactions on local tracks, and a file that moved keeping its history."""

from __future__ import annotations

import asyncio
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ApiClient, AuthActions
from tests.library.media import click_track, embed_picture, jpeg, make_track, tone


@pytest.fixture
def music(tmp_path: Path) -> Path:
    root = tmp_path / "Music"
    make_track(root / "Ada" / "Night", "01", "mp3", signal=tone(4.0, 440), title="Blue Hour",
               artist="Ada Lind", album="Night", genre="Jazz")
    make_track(root / "Ada" / "Night", "02", "flac", signal=tone(4.0, 330), title="Red Sky",
               artist="Dario", albumartist="Ada Lind", album="Night", genre="Jazz")
    beat = make_track(root / "Bram", "beat", "vorbis", signal=click_track(120, 6.0),
                      title="Beat", artist="Bram", genre="Electronic")
    embed_picture(beat, "vorbis", jpeg(500, 500))
    make_track(root / "Bram", "lossless", "alac", signal=tone(3.0, 550), title="Lossless",
               artist="Cleo")
    (root / "broken.mp3").write_bytes(b"")
    return root


@pytest.fixture
def app_config(tmp_path: Path, music: Path) -> dict[str, Any]:
    return {"TESTING": True, "DATA_DIR": tmp_path / "data", "LIBRARY_DIRS": [music],
            "ANALYSIS_WORKERS": 0}


async def settled(client: ApiClient, want: int) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        status = await (await client.get("/api/library/status")).get_json()
        if not status["scanning"] and status["tracks"] >= want:
            return status  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, status
        await asyncio.sleep(0.05)


async def test_status_feed_audio_and_covers(client: ApiClient, auth: AuthActions) -> None:
    assert (await client.get("/api/library/status")).status_code == 401
    await auth.signup()
    status = await settled(client, 4)
    assert (status["tracks"], status["analysed"], status["pending"]) == (4, 0, 4)
    assert status["failed"] == [{"path": "broken.mp3", "error": "the file is empty (0 bytes)"}]
    assert status["sources"] == ["local"]
    me = await (await client.get("/api/me")).get_json()
    assert me["library"] == {"tracks": 4}

    feed = await (await client.get("/api/feed?limit=10")).get_json()
    assert feed["source"] == "local"  # the demo catalog only while there is no other source
    names = {t["name"] for t in feed["pool"]}
    assert names == {"Blue Hour", "Red Sky", "Beat", "Lossless"}
    beat = next(t for t in feed["pool"] if t["name"] == "Beat")
    assert beat["source"] == "local" and beat["id"].startswith("local-")
    assert beat["artists"][0]["name"] == "Bram" and beat["genres"] == ["Electronic"]
    assert beat["analysis"] == "pending"
    demo = await (await client.get("/api/feed?source=demo")).get_json()
    assert demo["source"] == "demo"
    bad = await client.get("/api/feed?source=nowhere")
    assert bad.status_code == 422

    audio = await client.get(beat["audio_url"], headers={"Range": "bytes=0-99"})
    assert audio.status_code == 206 and audio.headers["Content-Type"].startswith("audio/ogg")
    assert len(await audio.get_data()) == 100 and (await audio.get_data())[:4] == b"OggS"
    lossless = next(t for t in feed["pool"] if t["name"] == "Lossless")
    whole = await client.get(lossless["audio_url"])  # ALAC: transcoded once by ffmpeg
    assert whole.status_code == 200 and (await whole.get_data())[:4] == b"OggS"
    assert "opus" in whole.headers["Content-Type"]
    for answer in (audio, whole):  # the listener's own music: never kept by a shared cache
        directives = {d.strip() for d in answer.headers["Cache-Control"].split(",")}
        assert "private" in directives and "public" not in directives, directives

    cover = beat["album"]["images"][0]["url"]
    answer = await client.get(cover)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "image/jpeg"
    assert "immutable" in answer.headers["Cache-Control"]
    assert (await client.get("/api/library/covers/../../etc.jpg")).status_code == 404
    assert (await client.get("/api/library/covers/" + "0" * 32 + ".jpg")).status_code == 404
    assert (await client.get("/api/tracks/local-00000000000000000000/audio")).status_code == 404

    await auth.logout()
    assert (await client.get(beat["audio_url"])).status_code == 401


async def test_interactions_on_a_moved_file_keep_their_track(
        app: Any, client: ApiClient, auth: AuthActions, music: Path) -> None:
    await auth.signup()
    await settled(client, 4)
    feed = await (await client.get("/api/feed")).get_json()
    red = next(t for t in feed["pool"] if t["name"] == "Red Sky")
    now = int(time.time() * 1000)
    sent = await client.post("/api/interactions", json={"interactions": [
        {"id": str(uuid.uuid4()), "track_id": red["id"], "type": "finished",
         "position_ms": 4000, "duration_ms": 4000, "at": now}]})
    assert (await sent.get_json())["accepted"]
    shutil.move(music / "Ada" / "Night" / "02.flac", music / "Renamed Red Sky.flac")
    result = await app.library.scan()
    assert (result.added, result.vanished) == (0, 0)
    audio = await client.get(red["audio_url"])  # the same id, served from the new path
    assert audio.status_code == 200 and (await audio.get_data())[:4] == b"fLaC"
    tracks = await app.sources.resolve("ada", [red["id"]])
    assert tracks[red["id"]]["name"] == "Red Sky"


async def test_a_vanished_file_keeps_its_history_and_a_link_swapped_in_is_never_served(
        app: Any, client: ApiClient, auth: AuthActions, music: Path, tmp_path: Path) -> None:
    await auth.signup()
    await settled(client, 4)
    pool = (await (await client.get("/api/feed")).get_json())["pool"]
    blue = next(t for t in pool if t["name"] == "Blue Hour")
    beat = next(t for t in pool if t["name"] == "Beat")
    now = int(time.time() * 1000)
    await client.post("/api/interactions", json={"interactions": [
        {"id": str(uuid.uuid4()), "track_id": blue["id"], "type": "finished",
         "position_ms": 4000, "duration_ms": 4000, "at": now}]})

    # Blue Hour's file goes: its history stays and still names it; it is no longer offered
    (music / "Ada" / "Night" / "01.mp3").unlink()
    assert (await app.library.scan()).vanished == 1
    history = await (await client.get("/api/interactions")).get_json()
    assert [i["track_id"] for i in history["interactions"]] == [blue["id"]]
    assert (await app.sources.resolve("ada", [blue["id"]]))[blue["id"]]["name"] == "Blue Hour"
    gone = await client.get(blue["audio_url"])
    assert gone.status_code == 404
    assert "no longer in the library" in (await gone.get_json())["error"]["message"]
    deadline = time.monotonic() + 30  # the catalog's index is rebuilt in the background
    while blue["id"] in {t["id"] for t in (await (await client.get(
            "/api/feed?refresh=1")).get_json())["pool"]}:
        assert time.monotonic() < deadline, "the vanished track is still offered"
        await asyncio.sleep(0.1)

    # Beat's file is swapped, after the scan, for a link to a file outside the folder: the
    # audio of its id is refused at request time, before any rescan notices
    secret = tmp_path / "elsewhere" / "private.ogg"
    secret.parent.mkdir()
    secret.write_bytes(b"OggS not for the listener " * 100)
    beat_file = music / "Bram" / "beat.ogg"
    beat_file.unlink()
    beat_file.symlink_to(secret)
    refused = await client.get(beat["audio_url"])
    assert refused.status_code == 404 and b"not for the listener" not in await refused.get_data()
    result = await app.library.scan()
    assert any(f["path"] == "Bram/beat.ogg" and "outside the library" in f["error"]
               for f in result.failed)
    assert (await client.get(beat["audio_url"])).status_code == 404


async def test_refreshing_a_small_library_starts_over_never_empty(client: ApiClient,
                                                                   auth: AuthActions) -> None:
    """Four tracks, all on screen: a refresh has nothing new, so it starts over with them
    (said so), rather than an empty feed every other press."""
    await auth.signup()
    await settled(client, 4)
    first = await (await client.get("/api/feed?limit=10")).get_json()
    assert len(first["tracks"]) == 4
    for _ in range(3):
        again = await (await client.get("/api/feed?limit=10&refresh=1")).get_json()
        assert again["restarted"] and len(again["tracks"]) == 4


@pytest.mark.slow
async def test_features_arrive_after_the_tags(tmp_path: Path, music: Path) -> None:
    """Tracks are in the feed from their tags at once; the analysis fills their features
    in the background (a real worker process), and the feed shows them."""
    from backend import create_app

    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "d2", "LIBRARY_DIRS": [music],
                      "ANALYSIS_WORKERS": 1})
    async with app.test_app():
        client = ApiClient(app.test_client())
        await AuthActions(client).signup()
        deadline = time.monotonic() + 240
        while True:
            status = await (await client.get("/api/library/status")).get_json()
            if status["analysed"] == 4:
                break
            assert time.monotonic() < deadline, status
            await asyncio.sleep(0.5)
        app.sources.catalogs["local"].changed()  # no waiting for the 30 s track cache
        feed = await (await client.get("/api/feed")).get_json()
        beat = next(t for t in feed["pool"] if t["name"] == "Beat")
        assert beat["analysis"] == "done"
        assert abs(beat["features"]["tempo"] - 120) < 5 or abs(beat["features"]["tempo"] - 60) < 3
        metrics = (await (await client.get("/metrics")).get_data()).decode()
        assert "encore_library_analysed 4.0" in metrics
        assert "encore_library_tracks 4.0" in metrics


async def test_progress_while_scanning(app: Any, client: ApiClient, auth: AuthActions,
                                       music: Path) -> None:
    await auth.signup()
    await settled(client, 4)
    for n in range(150):  # more than one batch: progress is reported along the way
        (music / "more" / f"{n}.mp3").parent.mkdir(exist_ok=True)
        shutil.copy(music / "Ada" / "Night" / "01.mp3", music / "more" / f"{n}.mp3")
    seen: list[dict[str, Any]] = []
    result = await app.library.scan(lambda done, total: seen.append(
        {**app.library.state, "done": done, "total": total}))
    # the copies (and the failed file, tried again) are read; copies of a known track: same id
    assert result.read == 151 and result.added == 0
    assert seen[0]["scanning"] and seen[0]["phase"] == "scanning"
    assert [s["done"] for s in seen] == [64, 128, 151] and seen[0]["total"] == 151
    status = await (await client.get("/api/library/status")).get_json()
    assert not status["scanning"] and status["tracks"] == 4


async def test_a_library_read_by_an_older_encore_is_read_again_once(
        app: Any, client: ApiClient, auth: AuthActions, music: Path) -> None:
    """A rescan reads only changed files, so a better reader (WAV tags, MP3 lengths, disc
    covers) never reached a library scanned before it: such a library is read again once,
    whole, keeping ids and analyses; then rescans read only what changed again."""
    await auth.signup()
    await settled(client, 4)
    assert (await app.library.scan()).read == 1  # only broken.mp3, a failure, is tried again
    first = (await app.store.catalog_tracks("local"))[0].id
    await app.store.set_catalog_analysis(first, "done", {"tempo": 120.0})  # analysed already
    before = {t.id: (t.analysis, t.features) for t in await app.store.catalog_tracks("local")}
    state = await app.store.get_library_state("local")
    await app.store.put_library_state("local", {**state, "reader": 1})  # an older Encore's
    again = await app.library.scan()
    assert (again.read, again.added, again.vanished) == (5, 0, 0)
    assert {t.id: (t.analysis, t.features)
            for t in await app.store.catalog_tracks("local")} == before
    assert (await app.library.scan()).read == 1
