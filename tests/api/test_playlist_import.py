"""Importing the listener's Spotify playlists through the emulator (real HTTP), on both stores."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import error_of
from tests.backend.test_spotify import REDIRECT, connect
from tests.conftest import ApiClient, AuthActions
from tests.fakes.spotify.runner import RunningEmulator


@pytest.fixture
def emulator() -> Iterator[RunningEmulator]:
    with RunningEmulator({"redirect_uris": [REDIRECT]}) as running:
        yield running


@pytest.fixture
def app_config(app_config: dict[str, Any], emulator: RunningEmulator) -> dict[str, Any]:
    return {**app_config, "SPOTIFY_CLIENT_ID": emulator.state.client.client_id,
            "SPOTIFY_ACCOUNTS_URL": emulator.url, "SPOTIFY_API_URL": f"{emulator.url}/v1"}


async def test_import_a_spotify_playlist_and_again_later(client: ApiClient, auth: AuthActions,
                                                         emulator: RunningEmulator) -> None:
    await auth.signup()
    await connect(client)
    listed = (await (await client.get("/api/playlists/import/spotify")).get_json())["playlists"]
    assert [(p["name"], p["tracks"]) for p in listed] == [
        ("Late night drive", 30), ("Everything I love", 130), ("Today's Top Hits", 50)]
    big = listed[1]
    source = emulator.state.users["premium-user"].playlists[1]

    made = await client.post("/api/playlists/import", json={"source": "spotify", "id": big["id"]})
    body = await made.get_json()
    assert made.status_code == 201 and body["name"] == "Everything I love"
    assert [t["id"] for t in body["tracks"]] == source.track_ids  # all 130, in order
    assert body["tracks"][0]["source"] == "spotify" and body["tracks"][0]["name"]

    # Spotify's copy changes; importing again updates Encore's rather than copying it
    source.track_ids = source.track_ids[:10]
    again = await client.post("/api/playlists/import", json={"source": "spotify",
                                                             "id": big["id"]})
    assert again.status_code == 200 and (await again.get_json())["id"] == body["id"]
    assert [t["id"] for t in (await again.get_json())["tracks"]] == source.track_ids
    mine = (await (await client.get("/api/playlists")).get_json())["playlists"]
    assert [(p["name"], p["source"], p["track_count"]) for p in mine] == [
        ("Everything I love", "spotify", 10)]
    relisted = (await (await client.get("/api/playlists/import/spotify")).get_json())["playlists"]
    assert relisted[1]["imported_as"] == body["id"] and relisted[0]["imported_as"] is None


async def test_what_cannot_be_imported_says_why(client: ApiClient, auth: AuthActions,
                                                emulator: RunningEmulator) -> None:
    await auth.signup()
    not_connected = await client.get("/api/playlists/import/spotify")
    assert (await error_of(not_connected, 409))["code"] == "spotify_not_connected"
    await connect(client)
    followed = emulator.state.users["premium-user"].playlists[2]  # owned by someone else
    refused = await client.post("/api/playlists/import", json={"source": "spotify",
                                                               "id": followed.id})
    assert (await error_of(refused, 403))["code"] == "spotify_forbidden"
    missing = await client.post("/api/playlists/import", json={"source": "spotify",
                                                               "id": "0" * 22})
    assert (await error_of(missing, 404))["code"] == "spotify_playlist_not_found"
    for bad in ({"source": "spotify", "id": "short"}, {"source": "tidal", "id": "0" * 22}, {}):
        await error_of(await client.post("/api/playlists/import", json=bad), 422)
    emulator.state.set(fail_all=True)
    down = await client.get("/api/playlists/import/spotify")
    assert (await error_of(down, 502))["code"] == "spotify_failed"
    assert (await (await client.get("/api/playlists")).get_json())["playlists"] == []
