"""Login throttling's state stays bounded (on SQLite and DynamoDB): guesses at thousands of
usernames from one address leave a handful of counters, and ended windows are deleted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PAGE_HEADERS
from tests.dynalite import dynalite_server, store_settings  # noqa: F401


@pytest.fixture(params=["sqlite", "dynamodb"])
def app_config(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    config: dict[str, Any] = {"TESTING": True, "DATA_DIR": tmp_path / "data"}
    return config | store_settings(request)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def _login(app, username: str, address: str) -> int:
    answer = await app.test_client().post(
        "/api/auth/login", json={"username": username, "password": "wrong password"},
        headers=PAGE_HEADERS, scope_base={"client": (address, 40000)})
    return answer.status_code


async def test_guesses_at_many_usernames_leave_few_counters_and_ended_ones_go(app) -> None:
    clock = Clock()
    app.login_throttle._clock = clock
    statuses = [await _login(app, f"user{i}", "10.0.0.1") for i in range(300)]
    assert statuses.count(401) == 5 and statuses.count(429) == 295
    # one counter for the address, one per account actually tried: not one per guess
    assert await app.store.count_attempt_keys() == 6

    for n in range(40):  # forty addresses, two guesses each
        for k in range(2):
            assert await _login(app, f"other{n}-{k}", f"10.0.1.{n}") == 401
    assert await app.store.count_attempt_keys() == 6 + 40 * 3

    clock.now += 61  # every window has ended
    assert await _login(app, "user1", "10.0.0.1") == 401  # the address may guess again
    if app.settings.store == "sqlite":  # SQLite deletes ended counters as attempts come
        for n in range(70):
            await _login(app, "later", f"10.0.2.{n % 250}")
        assert await app.store.count_attempt_keys() == 2 + 70 + 1  # only this window's
    else:  # DynamoDB: the table's TTL does it; purge_attempts where there is none (dynalite)
        assert await app.store.purge_attempts(clock.now) == 6 + 40 * 3 - 2
        assert await app.store.count_attempt_keys() == 2
