"""What the Subsonic tests share: an OpenSubsonic emulator per test, an app allowed to reach
127.0.0.1, and a signed-in listener whose account on the emulator is connected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.subsonic import RunningSubsonic, run_subsonic

PASSWORD = "listen-password"


@pytest.fixture
def server() -> Iterator[RunningSubsonic]:
    with run_subsonic() as running:
        yield running


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    return {"TESTING": True, "DATA_DIR": tmp_path / "data",
            "SUBSONIC_ALLOWED_HOSTS": ["127.0.0.1", "*.music.example.org"],
            "SUBSONIC_TIMEOUT_S": 1.0}


@pytest.fixture
async def listener(client: Any, auth: Any, server: RunningSubsonic) -> Any:
    """Ada, who likes jazz, with her account on the emulator connected."""
    await auth.signup()
    await client.patch("/api/me/settings", json={"favorite_genres": ["jazz"]})
    answer = await client.post("/api/subsonic/connect", json={
        "url": server.url, "username": "listener", "password": PASSWORD})
    assert answer.status_code == 200
    return client
