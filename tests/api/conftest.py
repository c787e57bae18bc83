"""API tests that run twice, on the SQLite store (a real file) and on DynamoDB (dynalite over
HTTP): `app_config` is parametrised, so the `app`, `client` and `auth` fixtures of
tests/conftest.py come in both flavours."""

from __future__ import annotations

import asyncio
import copy
import itertools
import time
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from backend.catalog import demo_catalog
from tests.conftest import ApiClient
from tests.dynalite import dynalite_server  # noqa: F401

_prefixes = itertools.count()


@pytest.fixture(params=["sqlite", "dynamodb"])
def app_config(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    config: dict[str, Any] = {"TESTING": True, "DATA_DIR": tmp_path / "data"}
    if request.param == "dynamodb":
        server = request.getfixturevalue("dynalite_server")
        config |= {"STORE": "dynamodb", "DYNAMODB_ENDPOINT": server.endpoint_url,
                   "DYNAMODB_TABLE_PREFIX": f"api{next(_prefixes)}_"}
    return config


@cache
def _demo() -> tuple[dict[str, Any], ...]:
    return tuple(demo_catalog())


def demo(n: int) -> dict[str, Any]:
    """The n-th demo track (a copy)."""
    return copy.deepcopy(_demo()[n])


def play(track: dict[str, Any], kind: str = "finished", at: int | None = None,
         position_ms: int | None = None) -> dict[str, Any]:
    duration = int(track["duration_ms"])
    return {"id": str(uuid.uuid4()), "track_id": track["id"], "type": kind,
            "position_ms": duration if position_ms is None else position_ms,
            "duration_ms": duration, "at": at or int(time.time() * 1000)}


async def listen(client: ApiClient, *interactions: dict[str, Any]) -> None:
    answer = await client.post("/api/interactions", json={"interactions": list(interactions)})
    assert answer.status_code == 200, await answer.get_data(as_text=True)


async def error_of(response: Any, status: int) -> dict[str, str]:
    """The JSON error body every bad request gets, after checking its status."""
    body = await response.get_json()
    assert response.status_code == status, body
    assert set(body["error"]) == {"code", "message"} and body["error"]["message"]
    error: dict[str, str] = body["error"]
    return error


async def until(check: Any) -> None:
    """Poll `check()` with a deadline (for work in background tasks)."""
    deadline = time.monotonic() + 30
    while True:
        if await check():
            return
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)
