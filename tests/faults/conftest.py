"""Helpers for the fault tests: a listener's browser over real HTTP (cookie session plus the
page's CSRF header), interaction batches shaped like the outbox sends them, the store as the
API lists it, and a poll with a deadline."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest

from tests.dynalite import Dynalite, dynalite_server  # noqa: F401  (shared fixture)
from tests.plays import plays

PAGE_HEADERS = {"X-Requested-With": "encore"}
PASSWORD = "correct horse battery"
T = TypeVar("T")


def dynamodb_env(server: Dynalite, prefix: str | None = None) -> dict[str, str]:
    """Environment for a node on `server`; a fresh table prefix keeps tests apart."""
    return {
        "ENCORE_STORE": "dynamodb",
        "ENCORE_DYNAMODB_ENDPOINT": server.endpoint_url,
        "ENCORE_DYNAMODB_TABLE_PREFIX": prefix or f"t{uuid.uuid4().hex[:10]}_",
    }


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    """One browser: keeps the session cookie, sends the page's header on every request.
    Cookies ignore ports, so one browser is signed in on every node of 127.0.0.1."""
    async with httpx.AsyncClient(headers=PAGE_HEADERS, timeout=15.0) as http:
        yield http


async def signup(http: httpx.AsyncClient, url: str, username: str = "ada") -> None:
    answer = await http.post(
        f"{url}/api/auth/signup", json={"username": username, "password": PASSWORD}
    )
    assert answer.status_code == 201, answer.text


def interactions(
    tracks: list[dict[str, Any]], kind: str = "finished", at: int | None = None
) -> list[dict[str, Any]]:
    """One outbox batch, one ms apart (several batches a second in a flood)."""
    return plays(
        tracks, kind, start_ms=at if at is not None else int(time.time() * 1000) - 60_000, step_ms=1
    )


async def stored_ids(http: httpx.AsyncClient, url: str) -> list[str]:
    """Every stored interaction id, by paging GET /api/interactions (repeats kept)."""
    ids: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "500", **({"cursor": cursor} if cursor else {})}
        page = await http.get(f"{url}/api/interactions", params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        ids += [i["id"] for i in body["interactions"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids


async def until(
    probe: Callable[[], Awaitable[T | None]], within_s: float = 15.0, what: str = "condition"
) -> T:
    """Poll `probe` until it returns something truthy, or fail after `within_s`."""
    deadline = time.monotonic() + within_s
    while True:
        result = await probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {within_s} s")
        await asyncio.sleep(0.05)
