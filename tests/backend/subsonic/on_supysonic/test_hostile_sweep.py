"""The hostile-input sweep (tests/security/test_hostile_inputs.py) behind an allowed, connected
Subsonic host: the listener's account is on a real server (Supysonic), and generated hostile
values (hypothesis: surrogates, control characters, NUL, odd digits, huge numbers, paths,
long text, any JSON) go into every input of the routes that reach it: search's query and
options, cover keys, ids and sizes, the artist and album ids, the connect form, the audio's
Range header, the feed, track ids in plays, likes and playlists (which make Encore ask the
server for the song and tell it what was played). No answer is a 5xx but the server's own
failure (a 502 `subsonic_…`: an address of that host where no Subsonic server answers), every
error is DESIGN.md's JSON body, nothing asked in the background fails (no error in Encore's
log), and the listener's songs still play afterwards."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

import pytest

from backend.subsonic import service as subsonic_service
from tests.hostile import HOSTILE_IDS, dumps, examples, hostile_json, url_segment

from ..conftest import search


def play(track_id: Any, kind: str = "finished") -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "track_id": track_id, "type": kind, "position_ms": 1000,
            "duration_ms": 5000, "at": int(time.time() * 1000) - 60_000}


def requests(found: dict[str, Any], account: dict[str, str], playlist: str,
             value: Any) -> list[tuple[str, str, Any]]:
    """(method, url, JSON body) of each Subsonic input holding `value` (text: every input;
    any other JSON value: the body fields)."""
    track = found["tracks"][0]
    key, cover = track["id"].split("-")[1], track["album"]["images"][0]["url"].split("?")[0]
    mine = f"subsonic-{key}-{value}"
    bodies: list[tuple[str, str, Any]] = [
        ("post", "/api/subsonic/connect", {**account, "url": value}),
        ("post", "/api/subsonic/connect", {**account, "username": value}),
        ("post", "/api/subsonic/connect", {**account, "password": value}),
        ("post", "/api/interactions", {"interactions": [play(value)]}),
        ("post", "/api/playlists/import", {"source": "subsonic", "id": value}),
        ("post", "/api/subsonic/now-playing", {"track_id": track["id"], "position_ms": value}),
    ]
    if not isinstance(value, str):
        return bodies
    text = url_segment(value)
    return bodies + [
        ("post", "/api/subsonic/connect", {**account, "url": f"{account['url']}/{value}"}),
        ("post", "/api/interactions", {"interactions": [play(mine, kind) for kind in
                                                        ("finished", "liked", "disliked")]}),
        ("post", f"/api/playlists/{playlist}/tracks", {"track_ids": [mine]}),
        ("get", f"/api/playlists/{playlist}", None),  # resolves what was added (getSong)
        ("get", f"/api/search?q={text}", None),
        ("get", f"/api/search?q=rock&limit={text}", None),
        ("get", f"/api/search?q=rock&types={text}", None),
        ("get", f"{cover}?size={text}", None),
        ("get", f"/api/subsonic/covers/{text}/{cover.rsplit('/', 1)[1]}", None),
        ("get", f"/api/subsonic/covers/{key}/{text}?size=64", None),
        ("get", f"/api/artists/{url_segment(track['artists'][0]['id'] + value)}", None),
        ("get", f"/api/albums/{url_segment(track['album']['id'] + value)}", None),
        ("get", f"/api/me/liked/contains?ids={url_segment(mine)}", None),
        ("get", f"/api/feed?limit=5&source=subsonic&refresh={text}", None),
    ]


def ranges(value: Any) -> list[str]:
    """The value as a Range header of the song's audio, where HTTP/1.1 lets it be one (the
    header's bytes are Latin-1)."""
    if not isinstance(value, str) or not value.isprintable() or any(ord(c) > 0xFF
                                                                    for c in value):
        return []
    return [f"bytes={value}", f"bytes=0-{value}", value]


async def test_hostile_values_behind_a_connected_subsonic_host_are_answered_never_a_failure(
        app: Any, listener: Any, subsonic_account: dict[str, str],
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(subsonic_service, "CONNECT_ATTEMPTS", 10**6)  # every value is tried
    found = await search(listener, "rock song")
    made = await listener.post("/api/playlists", json={"name": "sweep"})
    playlist = (await made.get_json())["id"]
    values = examples(HOSTILE_IDS, 50) + examples(hostile_json(), 25)
    failures = []
    with caplog.at_level(logging.ERROR):
        for value in values:
            for method, url, body in requests(found, subsonic_account, playlist, value):
                answer = await getattr(listener, method)(
                    url, data=None if body is None else dumps(body),
                    headers={"Content-Type": "application/json"} if body is not None else {})
                text = (await answer.get_data()).decode("utf-8", "replace")
                said = text if answer.status_code == 502 else ""
                if answer.status_code >= 500 and '"code":"subsonic_' not in said:
                    failures.append((method, url[:120], repr(value)[:60], answer.status_code,
                                     text[:200]))
                elif answer.status_code >= 400:
                    error = (await answer.get_json() or {}).get("error") or {}
                    assert set(error) == {"code", "message"}, (url, text)
        await asyncio.gather(*app.background_tasks)  # the plays told to the server
        audio = found["tracks"][0]["audio_url"]
        for value in values:
            for header in ranges(value):
                answer = await listener.get(audio, headers={"Range": header})
                if answer.status_code not in (200, 206):
                    assert answer.status_code == 416, (header, answer.status_code)
                    assert (await answer.get_json())["error"]["code"] == "range_not_satisfiable"
        # the account still works: the sweep's connects left it connected to the server
        assert [t["name"] for t in (await search(listener, "folk song 1"))["tracks"]][:1] == [
            "Folk Song 1"]
    assert not failures, "\n".join(map(str, failures))
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors][:5]
