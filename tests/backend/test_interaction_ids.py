"""Interaction ids are acknowledged exactly as the client sent them, and are one id whatever
their case (stored in lower case): on SQLite and on DynamoDB."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.dynalite import dynalite_server, store_settings  # noqa: F401


@pytest.fixture(params=["sqlite", "dynamodb"])
def app_config(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    config: dict[str, Any] = {"TESTING": True, "DATA_DIR": tmp_path / "data"}
    return config | store_settings(request)


def _play(id_: str, at: int) -> dict[str, Any]:
    return {"id": id_, "track_id": "demo-0001", "type": "finished", "position_ms": 60_000,
            "duration_ms": 60_000, "at": at}


async def test_upper_case_ids_are_acknowledged_as_sent_and_deduplicated_by_value(
    app, client, auth
) -> None:
    await auth.signup()
    now = int(time.time() * 1000) - 60_000
    upper, mixed = str(uuid.uuid4()).upper(), str(uuid.uuid4())
    mixed = mixed[:9] + mixed[9:].upper()
    batch = [_play(upper, now), _play(mixed, now + 1), _play(upper.lower(), now + 2)]
    first = await (await client.post("/api/interactions", json={"interactions": batch})).get_json()
    assert first == {"accepted": [upper, mixed], "duplicates": [upper.lower()]}

    replay = [_play(upper.lower(), now), _play(mixed.upper(), now + 1)]
    again = await (await client.post("/api/interactions", json={"interactions": replay})).get_json()
    assert again == {"accepted": [], "duplicates": [upper.lower(), mixed.upper()]}

    listed = await (await client.get("/api/interactions")).get_json()
    assert [i["id"] for i in listed["interactions"]] == [mixed.lower(), upper.lower()]
    assert await app.store.count_interactions("ada") == 2
