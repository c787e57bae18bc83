"""The OpenSubsonic emulator itself: what it does beyond the conformance checks, and that it
runs on its own as `python -m tests.fakes.subsonic` for trying Encore by hand."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.dynalite import free_port
from tests.fakes.subsonic import RunningSubsonic, run_subsonic
from tests.servers import REPO

BASE = {"v": "1.16.1", "c": "emulator-test", "f": "json"}
USER = {"u": "listener", "p": "listen-password"}


@pytest.fixture(scope="module")
def server() -> Iterator[RunningSubsonic]:
    with run_subsonic() as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(server: RunningSubsonic) -> None:
    server.state.reset()


def answer(server: RunningSubsonic, method: str, **params: Any) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{server.url}/rest/{method}",
                                     params={**BASE, **params}).json()["subsonic-response"]
    return body


def test_same_seed_same_library() -> None:
    with run_subsonic() as one, run_subsonic() as two:
        assert list(one.state.catalog.songs) == list(two.state.catalog.songs)
        assert len(one.state.catalog.songs) == 16 * 2 * 6


def test_protocol_version_newer_than_the_server(server: RunningSubsonic) -> None:
    server.state.set(api_version="1.12.0")
    assert answer(server, "ping", **USER)["error"]["code"] == 30  # v=1.16.1 > 1.12.0
    assert answer(server, "ping", **{**USER, "v": "1.12.0"})["status"] == "ok"
    assert answer(server, "ping", **{**USER, "v": "0.9.0"})["error"]["code"] == 20


def test_xml_unless_json_is_asked(server: RunningSubsonic) -> None:
    reply = httpx.get(f"{server.url}/rest/ping", params={**BASE, **USER, "f": "xml"})
    assert reply.headers["content-type"].startswith("text/xml")
    assert 'status="failed"' in reply.text


def test_form_post_only_with_the_extension(server: RunningSubsonic) -> None:
    reply = httpx.post(f"{server.url}/rest/ping", data={**BASE, **USER})
    assert reply.json()["subsonic-response"]["status"] == "ok"
    server.state.set(extensions={})
    assert httpx.post(f"{server.url}/rest/ping", data={**BASE, **USER}).status_code == 405


def test_plain_subsonic_mode(server: RunningSubsonic) -> None:
    server.state.set(open_subsonic=False, api_version="1.12.0", extensions={})
    reply = httpx.get(f"{server.url}/rest/getOpenSubsonicExtensions", params={"f": "json"})
    assert reply.status_code == 404
    assert reply.json()["subsonic-response"] == {
        "status": "failed", "version": "1.12.0",
        "error": {"code": 0, "message": "Unknown method"}}


def test_scrobbles_count_plays(server: RunningSubsonic) -> None:
    song = next(iter(server.state.catalog.songs))
    before = answer(server, "getSong", id=song, **USER)["song"]["playCount"]
    answer(server, "scrobble", id=song, submission="false", **USER)
    answer(server, "scrobble", id=song, **USER)  # submission defaults to true
    assert answer(server, "getSong", id=song, **USER)["song"]["playCount"] == before + 1


def test_runs_as_a_program() -> None:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "tests.fakes.subsonic", "--port",
                                str(port), "--plain"], cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                reply = httpx.get(f"http://127.0.0.1:{port}/rest/ping",
                                  params={**BASE, **USER, "v": "1.12.0"})
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the emulator did not start"
                time.sleep(0.1)
        assert reply.json()["subsonic-response"] == {"status": "ok", "version": "1.12.0"}
    finally:
        process.terminate()
        process.wait(timeout=10)
