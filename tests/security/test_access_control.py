"""No request reads or changes another user's interactions, settings, tokens or model, over
the web API or the model API: the user is always the session's, whatever the request names."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from backend import create_app
from backend.app_types import EncoreApp
from backend.catalog.demo import demo_catalog
from backend.model_client import SECRET_HEADER
from tests.backend.test_spotify import agree
from tests.conftest import ApiClient, AuthActions
from tests.fakes.spotify.runner import RunningEmulator
from tests.security.users import interactions, json_of, two_users

SECRET = "access-control-model-secret"
REDIRECT = "http://localhost/auth/spotify/callback"
NAMING_ALICE = {"username": "alice", "user": "alice", "user_id": "alice", "as": "alice"}


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    return {"TESTING": True, "DATA_DIR": tmp_path / "data", "MODEL_SECRET": SECRET}


async def test_reads_naming_the_other_user_answer_for_the_session_user(app):
    alice, bob = await two_users(app)
    carol = ApiClient(app.test_client())
    await AuthActions(carol).signup("carol", "carol password")
    await json_of(await alice.patch("/api/me/settings", json={"exploration": 0.9}))
    await json_of(await alice.post("/api/interactions", json={"interactions": interactions(12)}))
    alice_model = await json_of(await alice.get("/api/model"))

    me = await json_of(await bob.get("/api/me", query_string=NAMING_ALICE))
    assert me["username"] == "bob" and me["settings"]["exploration"] == 0.3
    history = await json_of(await bob.get("/api/interactions", query_string=NAMING_ALICE))
    assert history == {"interactions": [], "next_cursor": None}
    bob_model = await json_of(await bob.get("/api/model", query_string=NAMING_ALICE))
    fresh_model = await json_of(await carol.get("/api/model"))
    assert bob_model["snapshot"] == fresh_model["snapshot"] != alice_model["snapshot"]
    feed = await json_of(await bob.get("/api/feed", query_string=NAMING_ALICE))
    assert feed["model_version"] == fresh_model["model_version"]


async def test_alices_cursor_pages_only_bobs_history(app):
    alice, bob = await two_users(app)
    await alice.post("/api/interactions", json={"interactions": interactions(6)})
    first = await json_of(await alice.get("/api/interactions?limit=2"))
    assert first["next_cursor"]
    mine = interactions(3, "skipped")
    await bob.post("/api/interactions", json={"interactions": mine})
    page = await json_of(
        await bob.get("/api/interactions", query_string={"cursor": first["next_cursor"]})
    )
    assert {i["id"] for i in page["interactions"]} <= {i["id"] for i in mine}


async def test_writes_naming_the_other_user_are_refused_or_land_on_the_session_user(app):
    alice, bob = await two_users(app)
    batch = interactions(2)
    refused = await bob.post("/api/interactions", json={"interactions": batch, **NAMING_ALICE})
    assert (await json_of(refused, 422))["error"]["code"] == "invalid_request"
    ignored = await bob.post(
        "/api/interactions", json={"interactions": batch}, query_string=NAMING_ALICE
    )
    assert sorted((await json_of(ignored))["accepted"]) == sorted(i["id"] for i in batch)
    settings = await bob.patch(
        "/api/me/settings", json={"exploration": 1.0}, query_string=NAMING_ALICE
    )
    assert (await json_of(settings))["exploration"] == 1.0
    assert await app.store.count_interactions("alice") == 0
    assert await app.store.count_interactions("bob") == 2
    alice_me = await json_of(await alice.get("/api/me"))
    assert alice_me["settings"]["exploration"] == 0.3


async def test_interaction_ids_are_per_user(app):
    """Bob replaying Alice's ids stores his own copies; he learns nothing about hers."""
    alice, bob = await two_users(app)
    batch = interactions(3)
    await json_of(await alice.post("/api/interactions", json={"interactions": batch}))
    answer = await json_of(await bob.post("/api/interactions", json={"interactions": batch}))
    assert sorted(answer["accepted"]) == sorted(i["id"] for i in batch)
    assert answer["duplicates"] == []
    assert await app.store.count_interactions("alice") == 3
    assert await app.store.count_interactions("bob") == 3


MODEL_CALLS = [
    ("/model/subscribe", {"username": "alice"}),
    ("/model/receive-info", {"username": "alice", "interactions": interactions(1)}),
    ("/model/suggest", {"username": "alice", "candidates": demo_catalog()[:20], "limit": 5}),
]
WRONG_SECRETS = [
    {},
    {SECRET_HEADER: ""},
    {SECRET_HEADER: "nope"},
    {SECRET_HEADER: SECRET[:-1]},
    {SECRET_HEADER: SECRET.upper()},
    {SECRET_HEADER: SECRET + " "},
    {"Authorization": f"Bearer {SECRET}"},
    {"X-Requested-With": "encore"},  # the page's CSRF header is no credential here
]


@pytest.mark.parametrize(("path", "body"), MODEL_CALLS, ids=[c[0] for c in MODEL_CALLS])
async def test_model_api_refuses_every_call_without_the_exact_secret(app, path, body):
    """Bob's own session cookie does not open the model API either."""
    alice, bob = await two_users(app)
    before = (await json_of(await alice.get("/api/model")))["model_version"]
    for headers in WRONG_SECRETS:
        response = await bob.raw.post(path, json=body, headers=headers)
        error = (await json_of(response, 401))["error"]
        assert error["code"] == "unauthorized", headers
    assert (await json_of(await alice.get("/api/model")))["model_version"] == before
    control = await app.test_client().post(path, json=body, headers={SECRET_HEADER: SECRET})
    assert control.status_code == 200  # the same call with the secret works


async def test_model_api_is_off_on_a_web_node_without_a_secret(tmp_path):
    app = create_app({"DATA_DIR": tmp_path})
    async with app.test_app():
        _alice, bob = await two_users(app)
        for path, body in MODEL_CALLS:
            for headers in ({SECRET_HEADER: ""}, {SECRET_HEADER: "anything"}):
                response = await bob.raw.post(path, json=body, headers=headers)
                assert response.status_code == 401, (path, headers)


# --- Spotify tokens, against the emulator over real HTTP ----------------------------------


@pytest.fixture
async def spotify_app(tmp_path: Path) -> AsyncIterator[tuple[EncoreApp, RunningEmulator]]:
    with RunningEmulator({"redirect_uris": [REDIRECT]}) as emulator:
        app = create_app(
            {
                "TESTING": True,
                "DATA_DIR": tmp_path / "data",
                "SPOTIFY_CLIENT_ID": emulator.state.client.client_id,
                "SPOTIFY_ACCOUNTS_URL": emulator.url,
                "SPOTIFY_API_URL": f"{emulator.url}/v1",
            }
        )
        async with app.test_app():
            yield app, emulator


async def connect(client: ApiClient) -> None:
    start = await client.get("/auth/spotify/login")
    params = await asyncio.to_thread(agree, start.headers["Location"])
    done = await client.get("/auth/spotify/callback", query_string=params)
    assert done.headers["Location"] == "/?spotify=connected"


async def test_spotify_tokens_stay_with_their_owner(spotify_app):
    app, _emulator = spotify_app
    alice, bob = await two_users(app)
    await connect(alice)
    alice_token = (await json_of(await alice.get("/api/spotify/token")))["access_token"]

    refused = await bob.get("/api/spotify/token", query_string=NAMING_ALICE)
    assert (await json_of(refused, 409))["error"]["code"] == "spotify_not_connected"
    assert alice_token not in await refused.get_data(as_text=True)
    bob_me = await json_of(await bob.get("/api/me", query_string=NAMING_ALICE))
    assert bob_me["spotify"]["connected"] is False
    feed = await json_of(await bob.get("/api/feed"))
    assert feed["source"] == "demo"
    gone = await bob.post("/api/spotify/disconnect", json=NAMING_ALICE)
    assert gone.status_code == 204  # Bob's own (absent) link
    assert await app.store.get_spotify_link("alice") is not None
    again = await json_of(await alice.get("/api/spotify/token"))
    assert again["access_token"] == alice_token
