"""Importing the listener's Subsonic playlists (the OpenSubsonic emulator over real HTTP), on
both stores: listed per server, imported in order, imported again in place; their songs play
and resolve like any other Subsonic track."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import error_of
from tests.backend.subsonic.conftest import PASSWORD
from tests.conftest import ApiClient, AuthActions
from tests.fakes.subsonic import RunningSubsonic, run_subsonic


@pytest.fixture
def subsonic() -> Iterator[RunningSubsonic]:
    with run_subsonic() as running:
        yield running


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "SUBSONIC_ALLOWED_HOSTS": ["127.0.0.1"], "SUBSONIC_TIMEOUT_S": 2.0}


async def test_import_a_subsonic_playlist_in_order_and_again(
        client: ApiClient, auth: AuthActions, subsonic: RunningSubsonic) -> None:
    await auth.signup()
    none_yet = await (await client.get("/api/playlists/import/subsonic")).get_json()
    assert none_yet["playlists"] == []
    connected = await client.post("/api/subsonic/connect", json={
        "url": subsonic.url, "username": "listener", "password": PASSWORD})
    assert connected.status_code == 200
    listed = (await (await client.get("/api/playlists/import/subsonic")).get_json())["playlists"]
    assert [(p["name"], p["tracks"]) for p in listed] == [("Sunday morning", 12), ("Workout", 8)]
    sunday = listed[0]
    account = subsonic.state.accounts["listener"]
    song_ids = account.playlists["pl-0-1"][1]

    made = await client.post("/api/playlists/import", json={"source": "subsonic",
                                                             "id": sunday["id"]})
    body = await made.get_json()
    assert made.status_code == 201 and body["name"] == "Sunday morning"
    assert [t["id"].rsplit("-", 1)[1] for t in body["tracks"]] == song_ids  # in order
    assert all(t["source"] == "subsonic" and t["name"] for t in body["tracks"])

    account.playlists["pl-0-1"] = ("Sunday morning", song_ids[:3])
    again = await client.post("/api/playlists/import", json={"source": "subsonic",
                                                              "id": sunday["id"]})
    assert again.status_code == 200 and (await again.get_json())["id"] == body["id"]
    assert len((await again.get_json())["tracks"]) == 3
    relisted = (await (await client.get("/api/playlists/import/subsonic")).get_json())["playlists"]
    assert relisted[0]["imported_as"] == body["id"]

    missing = await client.post("/api/playlists/import", json={
        "source": "subsonic", "id": sunday["id"].split(":")[0] + ":nope"})
    assert (await error_of(missing, 404))["code"] == "subsonic_playlist_not_found"
    elsewhere = await client.post("/api/playlists/import", json={"source": "subsonic",
                                                                  "id": "0000000000:pl-0-1"})
    assert (await error_of(elsewhere, 404))["code"] == "subsonic_playlist_not_found"
