"""A connected Subsonic account as a music source, against the OpenSubsonic emulator: feed
candidates, stable ids, audio and covers through Encore, and what listening tells the server
(scrobble on a finish, star on a like, reportPlayback where offered)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from backend.sources.subsonic_tracks import target_format
from backend.subsonic.ids import parse_track_id
from tests.fakes.subsonic import RunningSubsonic
from tests.fakes.subsonic.media import song_wav


async def feed(client: Any, **params: Any) -> dict[str, Any]:
    answer = await client.get("/api/feed", query_string={"limit": 30, **params})
    assert answer.status_code == 200, await answer.get_data(as_text=True)
    body: dict[str, Any] = await answer.get_json()
    return body


async def until(condition: Callable[[], object], what: str, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


def interaction(track: dict[str, Any], kind: str, position_ms: int | None = None) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "track_id": track["id"], "type": kind,
            "position_ms": track["duration_ms"] if position_ms is None else position_ms,
            "duration_ms": track["duration_ms"], "at": int(time.time() * 1000)}


async def test_the_feed_comes_from_the_server(listener: Any, server: RunningSubsonic) -> None:
    body = await feed(listener)
    assert body["source"] == "subsonic" and body["notice"] is None
    tracks = body["tracks"]
    assert len(tracks) == 30 and len(body["pool"]) > 100
    song = server.state.catalog.songs[parse_track_id(tracks[0]["id"])[1]]  # type: ignore[index]
    first = tracks[0]
    assert first["source"] == "subsonic" and first["name"] == song.title
    assert first["artists"][0]["name"] == song.artist.name
    assert first["genres"] == [song.genre.lower()] and first["duration_ms"] == song.duration * 1000
    assert first["features"]["tempo"] == song.bpm
    assert first["audio_url"] == f"/api/tracks/{first['id']}/audio"
    assert first["album"]["images"][0]["url"].startswith("/api/subsonic/covers/")
    # the listener's favourite genre, named as the server names it ("jazz" -> "Jazz")
    by_genre = [dict(r.params) for r in server.state.requests_for("getSongsByGenre")]
    assert [p["genre"] for p in by_genre] == ["Jazz"]
    assert (await feed(listener, source="subsonic"))["source"] == "subsonic"
    assert (await feed(listener, source="demo"))["source"] == "demo"


async def test_ids_are_stable_across_calls_and_listeners(app: Any, listener: Any,
                                                         server: RunningSubsonic) -> None:
    first = {t["id"]: t["name"] for t in (await feed(listener))["pool"]}
    app.sources.forget("ada")  # ask the server again: new random songs, same ids for a song
    again = {t["id"]: t["name"] for t in (await feed(listener, refresh=1))["pool"]}
    common = set(first) & set(again)
    assert common and all(first[i] == again[i] for i in common)
    song_ids = {parse_track_id(i)[1] for i in first}  # type: ignore[index]
    assert song_ids <= set(server.state.catalog.songs)


async def test_finishing_scrobbles_and_seeds_the_next_feed(app: Any, listener: Any,
                                                           server: RunningSubsonic) -> None:
    track = (await feed(listener))["tracks"][0]
    song_id = parse_track_id(track["id"])[1]  # type: ignore[index]
    song = server.state.catalog.songs[song_id]
    finished = interaction(track, "finished")
    answer = await listener.post("/api/interactions", json={"interactions": [finished]})
    assert answer.status_code == 200
    await until(lambda: server.state.scrobbles, "the scrobble")
    scrobble = server.state.scrobbles[-1]
    assert (scrobble.song_id, scrobble.submission, scrobble.time_ms) == (
        song_id, True, finished["at"])
    await until(lambda: server.state.reports, "the playback report")
    report = server.state.reports[-1]
    assert (report.state, report.position_ms, report.ignore_scrobble) == (
        "stopped", finished["position_ms"], True)
    # a replay of the same interaction scrobbles nothing more
    await listener.post("/api/interactions", json={"interactions": [finished]})
    await asyncio.sleep(0.3)
    assert len(server.state.scrobbles) == 1
    app.sources.forget("ada")
    await feed(listener, refresh=1)
    assert dict(server.state.requests_for("getSimilarSongs2")[-1].params)["id"] == song.artist.id
    assert dict(server.state.requests_for("getTopSongs")[-1].params)["artist"] == song.artist.name
    assert dict(server.state.requests_for("getSonicSimilarTracks")[-1].params)["id"] == song_id


async def test_skip_like_and_dislike(listener: Any, server: RunningSubsonic) -> None:
    tracks = (await feed(listener))["tracks"]
    skipped, liked = tracks[0], tracks[1]
    await listener.post("/api/interactions", json={"interactions": [
        interaction(skipped, "skipped", 4000), interaction(liked, "liked", 1000)]})
    liked_id = parse_track_id(liked["id"])[1]  # type: ignore[index]
    account = server.state.accounts["listener"]
    await until(lambda: liked_id in account.starred, "the star")
    await until(lambda: server.state.reports, "the skip's report")
    assert server.state.reports[-1].position_ms == 4000
    assert server.state.scrobbles == []  # a skip is no scrobble
    await listener.post("/api/interactions", json={"interactions": [
        interaction(liked, "disliked", 2000)]})
    await until(lambda: liked_id not in account.starred, "the unstar")


async def test_no_playback_report_where_not_offered(listener: Any,
                                                    server: RunningSubsonic) -> None:
    server.state.set(extensions={})
    track = (await feed(listener))["tracks"][0]
    # the link remembers the server as it was at connect; reconnect to learn it changed
    await listener.post("/api/subsonic/connect", json={
        "url": server.url, "username": "listener", "password": "listen-password"})
    await listener.post("/api/interactions", json={"interactions": [
        interaction(track, "finished")]})
    await until(lambda: server.state.scrobbles, "the scrobble")
    await asyncio.sleep(0.3)
    assert server.state.requests_for("reportPlayback") == []


async def test_a_listeners_server_is_read_again_once_a_day(app: Any, listener: Any,
                                                          server: RunningSubsonic) -> None:
    """What a server offers can change (an upgrade, a proxy put in front): a day after it was
    last read, the next round of asking reads its extensions again and adapts (no form POSTs,
    no playback reports, no sonic similarity)."""
    server.state.set(extensions={})  # no formPost, no playbackReport any more
    link = await app.store.get_subsonic_link("ada")
    link.checked_at -= 25 * 3600
    await app.store.put_subsonic_link(link)
    server.state.requests.clear()
    track = (await feed(listener))["tracks"][0]
    assert (await app.store.get_subsonic_link("ada")).server["extensions"] == {}
    assert {r.http_method for r in server.state.requests} == {"GET"}  # no refused POST first
    await listener.post("/api/interactions", json={"interactions": [
        interaction(track, "finished")]})
    await until(lambda: server.state.scrobbles, "the scrobble")
    await asyncio.sleep(0.3)
    assert server.state.requests_for("reportPlayback") == []
    app.sources.forget("ada")
    await feed(listener, refresh=1)
    assert server.state.requests_for("getSimilarSongs2")  # seeded by the finish
    assert server.state.requests_for("getSonicSimilarTracks") == []  # no sonicSimilarity


async def test_audio_through_encore_with_ranges(listener: Any, server: RunningSubsonic) -> None:
    track = (await feed(listener))["tracks"][0]
    song = server.state.catalog.songs[parse_track_id(track["id"])[1]]  # type: ignore[index]
    whole = song_wav(song.tone_hz, song.duration)
    answer = await listener.get(track["audio_url"], headers={"Range": "bytes=100-1099"})
    assert answer.status_code == 206
    assert answer.headers["Content-Range"] == f"bytes 100-1099/{len(whole)}"
    assert answer.headers["Accept-Ranges"] == "bytes"
    assert answer.headers["Content-Type"] == "audio/wav"
    assert answer.headers["Cache-Control"].startswith("private")
    assert await answer.get_data() == whole[100:1100]
    full = await listener.get(track["audio_url"])
    assert full.status_code == 200 and await full.get_data() == whole
    assert dict(server.state.requests_for("stream")[-1].params)["format"] == "raw"
    bad = await listener.get(track["audio_url"], headers={"Range": f"bytes={len(whole) + 5}-"})
    assert bad.status_code == 416
    # formPost: the sign-in went in the POST bodies, so no access log holds it
    assert {(r.http_method, tuple(r.in_url)) for r in server.state.requests_for("stream")} == {
        ("POST", ())}


async def test_audio_needs_the_listener_and_their_server(app: Any, listener: Any, auth: Any,
                                                         server: RunningSubsonic) -> None:
    track = (await feed(listener))["tracks"][0]
    other_server = track["id"].replace(track["id"].split("-")[1], "0123456789", 1)
    assert (await listener.get(f"/api/tracks/{other_server}/audio")).status_code == 404
    await auth.logout()
    assert (await listener.get(track["audio_url"])).status_code == 401
    await auth.signup("bob")  # another listener, not connected to that server
    assert (await listener.get(track["audio_url"])).status_code == 404


async def test_covers_are_proxied_and_kept(listener: Any, server: RunningSubsonic) -> None:
    track = (await feed(listener))["tracks"][0]
    url = track["album"]["images"][1]["url"]
    first = await listener.get(url)
    assert first.status_code == 200 and first.headers["Content-Type"] == "image/png"
    assert "max-age=604800" in first.headers["Cache-Control"]
    image = await first.get_data()
    assert image.startswith(b"\x89PNG")
    asked = len(server.state.requests_for("getCoverArt"))
    again = await listener.get(url)
    assert await again.get_data() == image
    assert len(server.state.requests_for("getCoverArt")) == asked  # from Encore's disk
    assert {(r.http_method, tuple(r.in_url)) for r in server.state.requests_for(
        "getCoverArt")} == {("POST", ())}  # formPost: no sign-in in a URL
    assert (await listener.get(url.split("?")[0] + "?size=77")).status_code == 422
    missing = url.rsplit("/", 1)[0] + "/al-missing?size=300"
    assert (await listener.get(missing)).status_code == 404


async def test_a_started_play_shows_as_now_playing(listener: Any,
                                                  server: RunningSubsonic) -> None:
    track = (await feed(listener))["tracks"][0]
    song_id = parse_track_id(track["id"])[1]  # type: ignore[index]
    answer = await listener.post("/api/subsonic/now-playing",
                                 json={"track_id": track["id"], "position_ms": 1500})
    assert answer.status_code == 202
    await until(lambda: server.state.reports, "the playback report")
    report = server.state.reports[-1]
    assert (report.media_id, report.state, report.position_ms, report.ignore_scrobble) == (
        song_id, "playing", 1500, True)
    scrobble = server.state.scrobbles[-1]
    assert (scrobble.song_id, scrobble.submission) == (song_id, False)  # now playing only
    assert server.state.accounts["listener"].plays == {}  # no play counted for a start
    other = await listener.post("/api/subsonic/now-playing",
                                json={"track_id": "subsonic-0123456789-x"})
    assert other.status_code == 404
    bad = await listener.post("/api/subsonic/now-playing", json={"track_id": track["id"],
                                                                  "position_ms": -1})
    assert bad.status_code == 422


@pytest.mark.parametrize(("song", "asked"), [
    ({"suffix": "m4a", "contentType": "audio/mp4", "bitRate": 127}, "raw"),  # AAC
    ({"suffix": "m4a", "contentType": "audio/mp4", "bitRate": 705}, "mp3"),  # ALAC (Supysonic)
    ({"suffix": "m4a", "bitRate": 256, "bitDepth": 16}, "mp3"),  # lossless (OpenSubsonic)
    ({"suffix": "m4a", "bitRate": 256, "bitDepth": 0}, "raw"),
    ({"suffix": "flac", "bitRate": 900, "bitDepth": 24}, "raw"),
    ({"suffix": "aiff", "bitRate": 705}, "mp3"), ({"suffix": "mp3"}, "raw"), ({}, "raw"),
])
def test_what_browsers_cannot_play_is_asked_as_mp3(song: dict[str, Any], asked: str) -> None:
    """An .m4a holding ALAC (the audit's, through Supysonic: bitRate 705) was streamed as it
    is, and Chromium could not play it ("no supported streams"); AAC stays as it is."""
    assert target_format(song) == asked
