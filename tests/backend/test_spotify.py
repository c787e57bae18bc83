"""Connecting Spotify against the emulator over real HTTP: the OAuth flow and its failures,
tokens at rest, refresh behaviours, and the Web API client's retries."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from backend.spotify import SpotifyUnavailableFeature
from tests.fakes.spotify.runner import RunningEmulator

REDIRECT = "http://localhost/auth/spotify/callback"


@pytest.fixture
def emulator():
    with RunningEmulator({"redirect_uris": [REDIRECT]}) as running:
        yield running


@pytest.fixture
def app_config(tmp_path: Path, emulator) -> dict:
    return {
        "TESTING": True,
        "DATA_DIR": tmp_path / "data",
        "SPOTIFY_CLIENT_ID": emulator.state.client.client_id,
        "SPOTIFY_ACCOUNTS_URL": emulator.url,
        "SPOTIFY_API_URL": f"{emulator.url}/v1",
    }


def agree(authorize_url: str, user: str = "premium-user") -> dict[str, str]:
    """What the user does on Spotify's consent page: pick the account, press Agree."""
    with httpx.Client() as http:
        page = http.get(authorize_url)
        assert page.status_code == 200, page.text
        request_id = re.search(r'name=request_id value="([^"]+)"', page.text).group(1)
        answer = http.post(
            authorize_url.split("?")[0],
            data={"request_id": request_id, "user": user, "action": "agree"},
        )
    assert answer.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}


async def start_login(client) -> str:
    response = await client.get("/auth/spotify/login")
    assert response.status_code == 302
    return response.headers["Location"]


async def connect(client, user: str = "premium-user") -> dict[str, str]:
    params = await asyncio.to_thread(agree, await start_login(client), user)
    response = await client.get(
        "/auth/spotify/callback", query_string={"code": params["code"], "state": params["state"]}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/?spotify=connected"
    return params


async def test_authorize_url_uses_pkce_and_state(client, auth, emulator):
    await auth.signup()
    query = parse_qs(urlsplit(await start_login(client)).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32
    assert query["redirect_uri"] == [REDIRECT]
    assert "streaming" in query["scope"][0]


def emulator_origin(app) -> str:
    return str(app.settings.spotify_api_url).removesuffix("/v1").rstrip("/")


async def test_connect_end_to_end_and_tokens_encrypted_at_rest(app, client, auth, emulator):
    await auth.signup()
    await connect(client)
    me = await (await client.get("/api/me")).get_json()
    assert me["spotify"] == {
        "connected": True,
        "configured": True,
        "product": "premium",
        "display_name": "Premium Listener",
        # the emulator's origin, where the page loads the player from in development
        "sdk_url": f"{emulator_origin(app)}/spotify-player.js",
        "api_url": f"{emulator_origin(app)}/v1",
    }
    token = await client.get("/api/spotify/token")
    assert token.headers["Cache-Control"] == "no-store"
    body = await token.get_json()
    assert set(body) == {"access_token", "expires_at"}
    refresh_tokens = list(emulator.state.refresh_tokens)
    assert refresh_tokens
    stored = b"".join(p.read_bytes() for p in (app.config["DATA_DIR"]).glob("encore.sqlite3*"))
    for secret in refresh_tokens + [body["access_token"]]:
        assert secret.encode() not in stored
    link = await app.store.get_spotify_link("ada")
    assert link.refresh_token_enc and b"AQ" not in link.refresh_token_enc[:2]


async def test_callback_rejects_wrong_missing_and_reused_state(app, client, auth, emulator):
    await auth.signup()
    params = await asyncio.to_thread(agree, await start_login(client))
    wrong = await client.get(
        "/auth/spotify/callback", query_string={"code": params["code"], "state": "forged"}
    )
    assert wrong.status_code == 400
    assert (await wrong.get_json())["error"]["code"] == "invalid_state"
    assert await app.store.get_spotify_link("ada") is None
    # The failed attempt consumed the state: the right one no longer works either.
    late = await client.get("/auth/spotify/callback", query_string=params)
    assert late.status_code == 400
    assert await app.store.get_spotify_link("ada") is None
    missing = await client.get("/auth/spotify/callback", query_string={"code": params["code"]})
    assert missing.status_code == 400
    used = await connect(client)
    replay = await client.get("/auth/spotify/callback", query_string=used)
    assert replay.status_code == 400


async def test_state_is_bound_to_the_session(app, client, auth, emulator):
    await auth.signup()
    params = await asyncio.to_thread(agree, await start_login(client))
    from tests.conftest import ApiClient, AuthActions

    other = ApiClient(app.test_client())
    await AuthActions(other).signup("mallory", "mallory password")
    stolen = await other.get("/auth/spotify/callback", query_string=params)
    assert stolen.status_code == 400
    assert await app.store.get_spotify_link("mallory") is None


async def test_refresh_with_rotation_keeps_the_new_token(app, client, auth, emulator):
    await auth.signup()
    await connect(client)
    first = await (await client.get("/api/spotify/token")).get_json()
    before = (await app.store.get_spotify_link("ada")).refresh_token_enc
    link = await app.store.get_spotify_link("ada")
    link.expires_at = 0  # the access token ran out
    await app.store.put_spotify_link(link)
    second = await (await client.get("/api/spotify/token")).get_json()
    assert second["access_token"] != first["access_token"]
    assert (await app.store.get_spotify_link("ada")).refresh_token_enc != before
    assert emulator.state.counters["refresh_grants"] == 1
    link = await app.store.get_spotify_link("ada")
    link.expires_at = 0
    await app.store.put_spotify_link(link)
    assert (await client.get("/api/spotify/token")).status_code == 200  # the rotated one works


async def test_refresh_without_rotation_keeps_the_old_token(app, client, auth, emulator):
    emulator.state.set(rotate_refresh_tokens=False)
    await auth.signup()
    await connect(client)
    for _ in range(2):
        link = await app.store.get_spotify_link("ada")
        link.expires_at = 0
        await app.store.put_spotify_link(link)
        assert (await client.get("/api/spotify/token")).status_code == 200
    assert emulator.state.counters["refresh_grants"] == 2


async def test_invalid_grant_disconnects_and_is_never_retried(app, client, auth, emulator):
    await auth.signup()
    await connect(client)
    emulator.state.revoke_user("premium-user")
    link = await app.store.get_spotify_link("ada")
    link.expires_at = 0
    await app.store.put_spotify_link(link)
    for _ in range(2):
        response = await client.get("/api/spotify/token")
        assert response.status_code == 409
        assert (await response.get_json())["error"]["code"] == "spotify_not_connected"
    assert emulator.state.counters["refresh_attempts"] == 1
    me = await (await client.get("/api/me")).get_json()
    assert me["spotify"]["connected"] is False and me["spotify"]["reconnect"] is True
    assert (await app.store.get_spotify_link("ada")).refresh_token_enc == b""


async def test_concurrent_requests_trigger_one_refresh(app, client, auth, emulator):
    await auth.signup()
    await connect(client)
    link = await app.store.get_spotify_link("ada")
    link.expires_at = 0
    await app.store.put_spotify_link(link)
    answers = await asyncio.gather(*(app.spotify.access_token("ada") for _ in range(8)))
    assert len({token for token, _ in answers}) == 1
    assert emulator.state.counters["refresh_grants"] == 1
    assert len(app.spotify._refresh_locks) == 0  # per-user state lives only while refreshing


async def test_expired_token_at_spotify_means_one_refresh_then_retry(app, client, auth, emulator):
    await auth.signup()
    await connect(client)
    emulator.state.advance(2 * 3600)  # Spotify says expired; our record still says valid
    me = await app.spotify.api("ada", "GET", "/me")
    assert me["id"] == "premium-user"
    assert emulator.state.counters["refresh_grants"] == 1


async def test_rate_limit_waits_retry_after_then_succeeds(app, client, auth, emulator):
    await auth.signup()
    await connect(client)
    emulator.state.set(rate_limit=1, rate_window=1.0)
    for _ in range(3):
        assert (await app.spotify.api("ada", "GET", "/me"))["id"] == "premium-user"
    assert emulator.state.counters["rate_limited"] >= 1


async def test_gated_endpoint_403_is_remembered(app, client, auth, emulator):
    emulator.state.set(new_app_mode=True)
    await auth.signup()
    await connect(client)
    track_id = next(iter(emulator.state.catalog.tracks))
    for _ in range(2):
        with pytest.raises(SpotifyUnavailableFeature):
            await app.spotify.api(
                "ada", "GET", "/audio-features", params={"ids": track_id}, gated="audio-features"
            )
    assert emulator.state.counters["GET /v1/audio-features"] == 1


async def test_feed_from_spotify_and_fallbacks(app, client, auth, emulator):
    emulator.state.set(new_app_mode=True)  # no audio features, no recommendations
    await auth.signup()
    await connect(client)
    feed = await (await client.get("/api/feed")).get_json()
    assert feed["source"] == "spotify" and len(feed["tracks"]) == 30
    assert all(t["source"] == "spotify" and t["reason"] for t in feed["tracks"])
    demo = await (await client.get("/api/feed?source=demo")).get_json()
    assert demo["source"] == "demo" and all(t["source"] == "demo" for t in demo["tracks"])
    assert (await client.get("/api/feed?source=elsewhere")).status_code == 422
    app.sources._candidates.clear()  # force a fresh fetch
    emulator.state.set(fail_all=True)
    fallback = await client.get("/api/feed")
    assert fallback.status_code == 200
    body = await fallback.get_json()
    assert body["notice"] and len(body["tracks"]) == 30


async def test_disconnect_deletes_tokens(app, client, auth, emulator):
    await auth.signup()
    await connect(client)
    assert (await client.post("/api/spotify/disconnect")).status_code == 204
    assert await app.store.get_spotify_link("ada") is None
    assert (await client.get("/api/spotify/token")).status_code == 409


async def test_spotify_routes_need_a_session_and_configuration(tmp_path):
    from backend import create_app

    app = create_app({"DATA_DIR": tmp_path})
    async with app.test_app():
        raw = app.test_client()
        assert (await raw.get("/auth/spotify/login")).status_code == 401
        await raw.post(
            "/api/auth/signup",
            json={"username": "ada", "password": "long enough"},
            headers={"X-Requested-With": "encore"},
        )
        unconfigured = await raw.get("/auth/spotify/login")
        assert unconfigured.status_code == 503
        assert (await unconfigured.get_json())["error"]["code"] == "spotify_not_configured"


async def test_connecting_from_onboarding_comes_back_to_onboarding(client, auth, emulator):
    """Connect Spotify from the onboarding card: the listener returns to their picks (connected
    or cancelled), never to a feed that skipped them; other return pages are ignored."""
    await auth.signup()
    start = await client.get("/auth/spotify/login", query_string={"next": "/welcome"})
    params = await asyncio.to_thread(agree, start.headers["Location"])
    done = await client.get("/auth/spotify/callback",
                            query_string={"code": params["code"], "state": params["state"]})
    assert done.headers["Location"] == "/welcome?spotify=connected"
    start = await client.get("/auth/spotify/login", query_string={"next": "/settings"})
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    denied = await client.get("/auth/spotify/callback",
                              query_string={"state": state, "error": "access_denied"})
    assert denied.headers["Location"] == "/settings?spotify=denied"
    start = await client.get("/auth/spotify/login", query_string={"next": "/api/me"})
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    denied = await client.get("/auth/spotify/callback",
                              query_string={"state": state, "error": "access_denied"})
    assert denied.headers["Location"] == "/?spotify=denied"


async def test_the_emulator_s_origin_may_serve_the_player_covers_and_previews(client, emulator):
    """Development against the emulator works as the README says: its origin is in the CSP."""
    csp = (await client.get("/healthz")).headers["Content-Security-Policy"]
    for directive in ("script-src", "img-src", "media-src", "connect-src"):
        sources = next(d for d in csp.split("; ") if d.startswith(directive)).split()
        assert emulator.url in sources, directive


async def test_with_spotify_itself_the_policy_and_the_player_are_spotify_s(tmp_path):
    from backend import create_app
    from backend.security import spotify_browser_urls

    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data"})
    assert spotify_browser_urls(app.settings) == {
        "sdk_url": "https://sdk.scdn.co/spotify-player.js", "api_url": "https://api.spotify.com/v1"}
    async with app.test_app():
        csp = (await app.test_client().get("/healthz")).headers["Content-Security-Policy"]
    assert "127.0.0.1" not in csp and "localhost" not in csp
