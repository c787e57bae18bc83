"""What the Subsonic tests share: an OpenSubsonic emulator per test, an app allowed to reach
127.0.0.1, a signed-in listener whose Subsonic account is connected (on the emulator unless a
test file names another `subsonic_account`), and a search as that listener."""

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
def subsonic_account(server: RunningSubsonic) -> dict[str, str]:
    """The listener's own Subsonic account: theirs on the emulator."""
    return {"url": server.url, "username": "listener", "password": PASSWORD}


@pytest.fixture
async def listener(client: Any, auth: Any, subsonic_account: dict[str, str]) -> Any:
    """Ada, who likes jazz, with her Subsonic account connected."""
    await auth.signup()
    await client.patch("/api/me/settings", json={"favorite_genres": ["jazz"]})
    answer = await client.post("/api/subsonic/connect", json=subsonic_account)
    assert answer.status_code == 200
    return client


async def search(client: Any, q: str) -> dict[str, Any]:
    """The listener's search for `q`, which must answer 200."""
    answer = await client.get("/api/search", query_string={"q": q})
    assert answer.status_code == 200
    body: dict[str, Any] = await answer.get_json()
    return body
