"""Two signed-up users and small helpers the security tests share."""

from __future__ import annotations

import time
import uuid
from typing import Any

from backend.app_types import EncoreApp
from backend.catalog.demo import demo_catalog
from tests.conftest import ApiClient, AuthActions


def interactions(count: int, kind: str = "finished") -> list[dict[str, Any]]:
    now = int(time.time() * 1000) - 3_600_000
    return [
        {
            "id": str(uuid.uuid4()),
            "track_id": track["id"],
            "type": kind,
            "position_ms": track["duration_ms"],
            "duration_ms": track["duration_ms"],
            "at": now + i * 1000,
        }
        for i, track in enumerate(demo_catalog()[:count])
    ]


async def two_users(app: EncoreApp) -> tuple[ApiClient, ApiClient]:
    alice, bob = ApiClient(app.test_client()), ApiClient(app.test_client())
    assert (await AuthActions(alice).signup("alice", "alice password")).status_code == 201
    assert (await AuthActions(bob).signup("bob", "bob password!")).status_code == 201
    return alice, bob


async def json_of(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, await response.get_data(as_text=True)
    return await response.get_json()
