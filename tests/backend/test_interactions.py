"""Interactions through the HTTP API: stored exactly once, bad input refused by name."""

from __future__ import annotations

import time
import uuid

import pytest

DEMO_TRACK = "demo-0001"


def interaction(**overrides):
    item = {
        "id": str(uuid.uuid4()),
        "track_id": DEMO_TRACK,
        "type": "finished",
        "position_ms": 60_000,
        "duration_ms": 60_000,
        "at": int(time.time() * 1000),
    }
    return item | overrides


async def post(client, items):
    return await client.post("/api/interactions", json={"interactions": items})


async def test_same_batch_three_times_is_stored_once(app, client, auth):
    await auth.signup()
    batch = [interaction(at=1_700_000_000_000 + i) for i in range(5)]
    first = await (await post(client, batch)).get_json()
    assert sorted(first["accepted"]) == sorted(i["id"] for i in batch)
    for _ in range(2):
        again = await (await post(client, batch)).get_json()
        assert again["accepted"] == []
        assert sorted(again["duplicates"]) == sorted(i["id"] for i in batch)
    assert await app.store.count_interactions("ada") == 5


async def test_partial_overlap_reports_each_id_correctly(client, auth):
    await auth.signup()
    old = [interaction() for _ in range(3)]
    await post(client, old)
    new = [interaction() for _ in range(2)]
    answer = await (await post(client, old[1:] + new)).get_json()
    assert sorted(answer["accepted"]) == sorted(i["id"] for i in new)
    assert sorted(answer["duplicates"]) == sorted(i["id"] for i in old[1:])


async def test_history_pages_newest_first(client, auth):
    await auth.signup()
    items = [interaction(at=1_700_000_000_000 + i * 1000) for i in range(7)]
    await post(client, items)
    seen, cursor = [], None
    while True:
        query = "/api/interactions?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = await (await client.get(query)).get_json()
        seen += [i["id"] for i in page["interactions"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [i["id"] for i in reversed(items)]


async def test_interactions_are_per_user(app, client, auth):
    await auth.signup("alice", "alice password")
    await post(client, [interaction()])
    await auth.logout()
    await auth.signup("bob", "bob password!")
    assert (await (await client.get("/api/interactions")).get_json())["interactions"] == []
    assert await app.store.count_interactions("alice") == 1


async def test_posting_needs_a_session(client):
    response = await post(client, [interaction()])
    assert response.status_code == 401


def _future():
    return int(time.time() * 1000) + 2 * 24 * 3600 * 1000


BAD = [
    ("unknown type", {"type": "paused"}, "type"),
    ("unknown track", {"track_id": "demo-9999"}, "track_id"),
    ("negative position", {"position_ms": -1}, "position_ms"),
    ("position past the end", {"position_ms": 90_000, "duration_ms": 60_000}, "position_ms"),
    ("zero duration", {"duration_ms": 0}, "duration_ms"),
    ("future at", {"at": _future()}, "at"),
    ("ancient at", {"at": 5}, "at"),
    ("malformed id", {"id": "not-a-uuid"}, "id"),
    ("id as number", {"id": 42}, "id"),
    ("position as string", {"position_ms": "100"}, "position_ms"),
    ("extra field", {"username": "bob"}, "username"),
]


@pytest.mark.parametrize(("case", "overrides", "field"), BAD, ids=[b[0] for b in BAD])
async def test_bad_interaction_is_422_naming_the_field(app, client, auth, case, overrides, field):
    await auth.signup()
    good = interaction()
    response = await post(client, [good, interaction(**overrides)])
    assert response.status_code == 422, case
    error = (await response.get_json())["error"]
    assert error["code"] == "invalid_request"
    assert field in error["message"] and "1" in error["message"]
    assert await app.store.count_interactions("ada") == 0  # the good one was not stored either


async def test_missing_fields_and_batch_limits(app, client, auth):
    await auth.signup()
    item = interaction()
    del item["type"]
    assert (await post(client, [item])).status_code == 422
    assert (await post(client, [])).status_code == 422
    big = await post(client, [interaction() for _ in range(501)])
    assert big.status_code == 422 and "interactions" in (await big.get_json())["error"]["message"]
    assert (await client.post("/api/interactions", json=[interaction()])).status_code == 422
    assert await app.store.count_interactions("ada") == 0


async def test_full_batch_of_500_is_accepted(app, client, auth):
    await auth.signup()
    answer = await (await post(client, [interaction() for _ in range(500)])).get_json()
    assert len(answer["accepted"]) == 500
    assert await app.store.count_interactions("ada") == 500


async def test_bad_paging_arguments(client, auth):
    await auth.signup()
    assert (await client.get("/api/interactions?limit=501")).status_code == 422
    assert (await client.get("/api/interactions?limit=abc")).status_code == 422
    bad_cursor = await client.get("/api/interactions?cursor=%%%garbage")
    assert bad_cursor.status_code == 422
