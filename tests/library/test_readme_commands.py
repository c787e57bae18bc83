"""The README's "Your own music" and "try it without a Subsonic server" commands work as
written: each documented line runs through bash as it is (only the ports swapped for free ones,
a fresh data directory, and a HOME whose ~/Music holds real files), and a listener then gets
their folder, or the emulator's songs, in the feed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.dynalite import free_port
from tests.library.media import make_track, tone
from tests.servers import REPO

pytestmark = pytest.mark.slow
README = (REPO / "README.md").read_text()


@contextmanager
def documented(lines: list[str], env: dict[str, str], logs: Path) -> Iterator[None]:
    processes = []
    try:
        for n, line in enumerate(lines):
            with (logs / f"{n}.log").open("wb") as log:
                processes.append(subprocess.Popen(
                    ["bash", "-c", line], cwd=REPO, env={**os.environ, **env}, stdout=log,
                    stderr=subprocess.STDOUT, start_new_session=True))
        yield
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def until(check: Callable[[], Any], logs: Path, seconds: float = 120) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if found := check():
                return found
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, [p.read_text()[-1500:] for p in logs.glob("*.log")]
        time.sleep(0.3)


def signed_up(url: str, logs: Path) -> httpx.Client:
    until(lambda: httpx.get(f"{url}/healthz").status_code == 200, logs)
    client = httpx.Client(base_url=url, headers={"Origin": url}, timeout=30)
    answer = client.post("/api/auth/signup", json={"username": "ada",
                                                   "password": "listen-to-the-end"})
    assert answer.status_code == 201, answer.text
    return client


def test_your_own_music(tmp_path: Path) -> None:
    (line,) = re.findall(r"## Your own music\n\n```sh\n(.*?)\n```", README, re.S)
    assert line == "ENCORE_LIBRARY_DIRS=~/Music make run"
    music = tmp_path / "home" / "Music"
    make_track(music / "Ada", "one", "mp3", signal=tone(3.0, 440), title="One", artist="Ada")
    make_track(music / "Bram", "two", "flac", signal=tone(3.0, 330), title="Two", artist="Bram")
    (music / "empty.mp3").write_bytes(b"")
    port = free_port()
    env = {"HOME": str(tmp_path / "home"), "ENCORE_PORT": str(port),
           "ENCORE_DATA_DIR": str(tmp_path / "data"),
           "ENCORE_ANALYSIS_WORKERS": "0"}  # the tags are what this checks: spare the CPU
    with documented([line], env, tmp_path), closing(signed_up(f"http://127.0.0.1:{port}",
                                                              tmp_path)) as client:
        status = until(lambda: (s := client.get("/api/library/status").json())["tracks"] == 2
                       and not s["scanning"] and s, tmp_path)
        assert status["failed"] == [{"path": "empty.mp3",
                                     "error": "the file is empty (0 bytes)"}]
        feed = client.get("/api/feed").json()
        assert feed["source"] == "local"
        assert {t["name"] for t in feed["pool"]} == {"One", "Two"}


def test_subsonic_without_a_server(tmp_path: Path) -> None:
    paragraph = README.split("To try it without a server:", 1)[1].split("\n\n", 1)[0]
    commands = re.findall(r"`([^`]*(?:python -m|make run)[^`]*)`", paragraph)
    assert commands == [".venv/bin/python -m tests.fakes.subsonic --port 4533",
                        "ENCORE_SUBSONIC_ALLOWED_HOSTS=127.0.0.1 make run"]
    (address,) = re.findall(r"connect to `(http://[^`]+)`", paragraph)
    emulator, port = free_port(), free_port()
    url = address.replace("4533", str(emulator))
    lines = [c.replace("4533", str(emulator)) for c in commands]
    env = {"ENCORE_PORT": str(port), "ENCORE_DATA_DIR": str(tmp_path / "data")}
    with documented(lines, env, tmp_path), closing(signed_up(f"http://127.0.0.1:{port}",
                                                             tmp_path)) as client:
        until(lambda: httpx.get(f"{url}/rest/ping").status_code < 500, tmp_path)
        answer = client.post("/api/subsonic/connect", json={
            "url": url, "username": "listener", "password": "listen-password"})
        assert answer.status_code == 200, answer.text
        feed = client.get("/api/feed").json()
        assert feed["source"] == "subsonic" and feed["tracks"], feed.get("notice")
        key = client.post("/api/subsonic/connect", json={"url": url,
                                                         "api_key": "listener-api-key"})
        assert key.status_code == 200 and key.json()["own"]["auth"] == "api_key"
