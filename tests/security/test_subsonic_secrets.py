"""Subsonic credentials never leak: after listeners connect with a password (token sign-in), an
API key, and a server-wide library that takes only the hex-encoded password, then listen and
search (and open an artist and an album), no password (plain or hex), API key or salted token
appears in an HTTP answer, in the server's log (httpx logs every URL, and a Subsonic URL
carries the sign-in) or in its data folder."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fakes.subsonic import RunningSubsonic
from tests.servers import EncoreProcess

PASSWORD = "subsonic pass 5d1e"
API_KEY = "subsonic-key-77aa90c1"
SHARED_PASSWORD = "shared library pass 3c9b"


@pytest.fixture
def own_server() -> Iterator[RunningSubsonic]:
    with RunningSubsonic({"users": [("listener", PASSWORD, API_KEY)]}) as running:
        yield running


@pytest.fixture
def shared_server() -> Iterator[RunningSubsonic]:
    with RunningSubsonic({"users": [("library", SHARED_PASSWORD)], "token_auth": False}) as s:
        yield s


@pytest.fixture
def server(tmp_path: Path, own_server: RunningSubsonic,
           shared_server: RunningSubsonic) -> Iterator[EncoreProcess]:
    process = EncoreProcess("serve", tmp_path / "data", {
        "ENCORE_SUBSONIC_ALLOWED_HOSTS": "127.0.0.1",
        "ENCORE_SUBSONIC_URL": shared_server.url, "ENCORE_SUBSONIC_USER": "library",
        "ENCORE_SUBSONIC_PASSWORD": SHARED_PASSWORD})
    process.start()
    try:
        yield process
    finally:
        process.stop()


def listen(http: httpx.Client, body: dict[str, str]) -> None:
    """Sign up, connect, take the feed, play a track's audio and cover, finish it."""
    assert http.post("/api/auth/signup", json={"username": f"u{uuid.uuid4().hex[:8]}",
                                               "password": "correct horse"}).is_success
    if body:
        answer = http.post("/api/subsonic/connect", json=body)
        assert answer.status_code == 200, answer.text
        assert http.post("/api/subsonic/connect", json={**body, "url": body["url"] + "/x"}
                         ).status_code in (400, 502)  # a failing attempt is logged too
    feed = http.get("/api/feed").json()
    assert feed["source"] == "subsonic", feed
    track = feed["tracks"][0]
    assert http.get(track["audio_url"], headers={"Range": "bytes=0-999"}).status_code == 206
    assert http.get(track["album"]["images"][0]["url"]).status_code == 200
    found = http.get("/api/search", params={"q": track["name"]}).json()  # search3, cached
    assert track["id"] in [t["id"] for t in found["tracks"]], found
    assert http.get(f"/api/albums/{track['album']['id']}").status_code == 200  # getAlbum
    assert http.get(f"/api/artists/{track['artists'][0]['id']}").status_code == 200  # getArtist
    assert http.post("/api/interactions", json={"interactions": [{
        "id": str(uuid.uuid4()), "track_id": track["id"], "type": "finished",
        "position_ms": track["duration_ms"], "duration_ms": track["duration_ms"],
        "at": int(time.time() * 1000)}]}).is_success
    assert http.get("/api/me").json()["subsonic"]["connected"]


def test_no_subsonic_secret_anywhere(server: EncoreProcess, own_server: RunningSubsonic,
                                     shared_server: RunningSubsonic) -> None:
    answers: list[bytes] = []
    for body in ({"url": own_server.url, "username": "listener", "password": PASSWORD},
                 {"url": own_server.url, "api_key": API_KEY}, {}):
        with httpx.Client(base_url=server.url, headers={"X-Requested-With": "encore"},
                          event_hooks={"response": [lambda r: answers.append(r.read())]},
                          timeout=30) as http:
            listen(http, body)
    deadline = time.monotonic() + 10  # scrobbles go out in the background
    while len(own_server.state.scrobbles) + len(shared_server.state.scrobbles) < 3:
        assert time.monotonic() < deadline, "the finishes were not scrobbled"
        time.sleep(0.05)
    # the three ways of signing in were all used
    signed = [dict(r.params) for r in own_server.state.requests + shared_server.state.requests]
    assert any("t" in p for p in signed) and any("apiKey" in p for p in signed)
    assert any(p.get("p", "").startswith("enc:") for p in signed)
    tokens = {p["t"] for p in signed if "t" in p} | {p["s"] for p in signed if "s" in p}

    secrets = {"password": PASSWORD, "API key": API_KEY, "shared password": SHARED_PASSWORD,
               "hex password": PASSWORD.encode().hex(),
               "hex shared password": SHARED_PASSWORD.encode().hex()}
    for name, secret in secrets.items():
        leaks = [a[:200] for a in answers if secret.encode() in a]
        assert not leaks, f"the {name} was in an HTTP answer: {leaks[0]!r}"

    log = server.log.read_text()
    assert "/rest/stream" in log  # the log we read holds the Subsonic requests (redacted)
    for name, secret in {**secrets, **{f"token {t}": t for t in tokens}}.items():
        assert secret not in log, f"the {name} is in the server log"
    assert not re.search(r"[?&](p|t|apiKey)=[^…&\s]", log), "a sign-in parameter is logged"

    at_rest = {p: p.read_bytes() for p in server.data_dir.rglob("*") if p.is_file()}
    at_rest.pop(server.log)
    assert any(p.name.startswith("encore.sqlite3") for p in at_rest)
    for name, secret in secrets.items():
        found = [p.name for p, data in at_rest.items() if secret.encode() in data]
        assert not found, f"the {name} is stored in plain text in {found}"
