"""Connecting a Subsonic account is no password oracle, even all at once: of 30 attempts sent
together with wrong passwords, ten reach the server and the rest are a 429 with Retry-After,
the right password too, until the minute is over; on both stores (their shared counters)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ApiClient, AuthActions
from tests.dynalite import dynalite_server, store_settings  # noqa: F401
from tests.fakes.subsonic import RunningSubsonic

from .conftest import PASSWORD


@pytest.fixture(params=["sqlite", "dynamodb"])
def app_config(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    return {"TESTING": True, "DATA_DIR": tmp_path / "data",
            "SUBSONIC_ALLOWED_HOSTS": ["127.0.0.1"]} | store_settings(request)


async def test_concurrent_connects_are_throttled_all_the_same(
        client: ApiClient, auth: AuthActions, server: RunningSubsonic) -> None:
    await auth.signup()
    answers = await asyncio.gather(*(client.post("/api/subsonic/connect", json={
        "url": server.url, "username": "listener", "password": f"guess {n}"}) for n in range(30)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [400] * 10 + [429] * 20, statuses
    right = await client.post("/api/subsonic/connect", json={
        "url": server.url, "username": "listener", "password": PASSWORD})
    assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0
    assert (await right.get_json())["error"]["code"] == "too_many_requests"
