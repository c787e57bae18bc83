"""Session fixation, CSRF on every state-changing endpoint, login throttling and open
redirects (what tests/backend/test_security.py and test_accounts.py do not already cover)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from backend import create_app
from tests.conftest import ApiClient, AuthActions
from tests.security.users import interactions, json_of, two_users

EVIL = "https://evil.example"
SPOTIFY = "http://127.0.0.1:9"  # configured but never reached by these tests


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "DATA_DIR": tmp_path / "data",
        "SPOTIFY_CLIENT_ID": "security-client",
        "SPOTIFY_ACCOUNTS_URL": SPOTIFY,
        "SPOTIFY_API_URL": f"{SPOTIFY}/v1",
        "TRUSTED_ORIGINS": "https://app.example",
    }


def sid_of(response: Any) -> str:
    cookie = response.headers.get("Set-Cookie", "")
    assert cookie.startswith("encore_session="), cookie
    return cookie.split(";")[0].split("=", 1)[1]


async def whoami(app: Any, sid: str) -> int | str:
    """Who a bare cookie value signs in as: a username, or the status when nobody."""
    response = await app.test_client().get("/api/me", headers={"Cookie": f"encore_session={sid}"})
    if response.status_code != 200:
        return response.status_code
    return (await response.get_json())["username"]


# --- session fixation ---------------------------------------------------------------------


@pytest.mark.parametrize("action", ["login", "signup"])
async def test_a_cookie_chosen_by_an_attacker_is_never_adopted(app, action):
    planted = "attacker-chosen-session-id-0123456789"
    raw = app.test_client()
    if action == "login":
        await AuthActions(ApiClient(app.test_client())).signup("alice", "alice password")
    answer = await raw.post(
        f"/api/auth/{action}",
        json={"username": "alice", "password": "alice password"},
        headers={"X-Requested-With": "encore", "Cookie": f"encore_session={planted}"},
    )
    assert answer.status_code in (200, 201)
    assert sid_of(answer) != planted
    assert await whoami(app, planted) == 401
    assert await whoami(app, sid_of(answer)) == "alice"


async def test_an_attackers_own_session_planted_in_the_victims_browser_is_replaced(app):
    mallory = AuthActions(ApiClient(app.test_client()))
    await AuthActions(ApiClient(app.test_client())).signup("alice", "alice password")
    planted = sid_of(await mallory.signup("mallory", "mallory password"))
    victim = app.test_client()
    login = await victim.post(
        "/api/auth/login",
        json={"username": "alice", "password": "alice password"},
        headers={"X-Requested-With": "encore", "Cookie": f"encore_session={planted}"},
    )
    assert login.status_code == 200 and sid_of(login) != planted
    # Mallory's copy of the cookie neither became Alice's nor lives on.
    assert await whoami(app, planted) == 401


async def test_a_pending_spotify_state_does_not_survive_a_new_login(app, client, auth):
    await auth.signup("alice", "alice password")
    start = await client.get("/auth/spotify/login")
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    assert (await auth.login("alice", "alice password")).status_code == 200
    late = await client.get("/auth/spotify/callback", query_string={"state": state, "code": "c"})
    assert (await json_of(late, 400))["error"]["code"] == "invalid_state"
    anonymous = await app.test_client().get(
        "/auth/spotify/callback", query_string={"state": state, "code": "c"}
    )
    assert anonymous.status_code == 401


# --- CSRF: every state-changing endpoint ----------------------------------------------------

FOREIGN_ORIGINS = [
    EVIL,
    "http://localhost.evil.example",
    "http://localhost:8080",  # another port is another origin
    "https://localhost",  # another scheme too
    "http://evil.example/http://localhost",
    "https://app.example.evil.example",
]


@pytest.mark.parametrize("origin", FOREIGN_ORIGINS)
async def test_every_state_change_from_a_foreign_origin_is_refused(app, origin):
    alice, _bob = await two_users(app)
    headers = {"Origin": origin, "X-Requested-With": "encore"}  # header and Origin: Origin wins
    attempts = [
        ("post", "/api/auth/login", {"username": "bob", "password": "bob password!"}),
        ("post", "/api/auth/signup", {"username": "victim", "password": "long enough"}),
        ("post", "/api/interactions", {"interactions": interactions(1)}),
        ("patch", "/api/me/settings", {"exploration": 1.0}),
        ("post", "/api/spotify/disconnect", None),
        ("post", "/api/auth/logout", None),
    ]
    for method, path, body in attempts:
        response = await getattr(alice.raw, method)(path, json=body, headers=headers)
        error = (await json_of(response, 403))["error"]
        assert error["code"] == "csrf_failed", path
        assert "Set-Cookie" not in response.headers, path
    me = await json_of(await alice.get("/api/me"))  # still signed in, as Alice, unchanged
    assert me["username"] == "alice" and me["settings"]["exploration"] == 0.3
    assert await app.store.count_interactions("alice") == 0
    assert await app.store.get_user("victim") is None


async def test_every_write_the_api_describes_is_refused_without_the_csrf_defence(app):
    """Every POST, PUT, PATCH and DELETE of /api/openapi.json (and /auth/), new routes too:
    a foreign Origin, or neither Origin nor the page's header, is a 403 before anything runs."""
    alice, _bob = await two_users(app)
    spec = await json_of(await alice.get("/api/openapi.json"))
    writes = [(method, template) for template, operations in spec["paths"].items()
              for method in operations if method in ("post", "put", "patch", "delete")
              and not template.startswith("/model/")]
    assert len(writes) >= 20
    for method, template in writes:
        path = re.sub(r"\{[^}]+\}", "x", template)
        for headers in ({"Origin": EVIL, "X-Requested-With": "encore"}, {}):
            answer = await getattr(alice.raw, method)(path, json={}, headers=headers)
            error = (await json_of(answer, 403))["error"]
            assert error["code"] == "csrf_failed", (method, path, headers)


async def test_a_configured_trusted_origin_passes(app):
    alice, _bob = await two_users(app)
    response = await alice.raw.patch(
        "/api/me/settings", json={"exploration": 0.5}, headers={"Origin": "https://app.example/"}
    )
    assert (await json_of(response))["exploration"] == 0.5


# --- login throttling -------------------------------------------------------------------------


async def test_throttle_counts_a_username_in_any_case_and_spares_others(app):
    alice, bob = await two_users(app)
    guesser = AuthActions(ApiClient(app.test_client()))
    for name in ("alice", "ALICE", "Alice", "aLiCe", "alicE"):
        assert (await guesser.login(name, "wrong password")).status_code == 401
    blocked = await guesser.login("alice", "alice password")
    assert (await json_of(blocked, 429))["error"]["code"] == "too_many_attempts"
    assert "Set-Cookie" not in blocked.headers
    # the guesser's address is stopped for every account; others, from elsewhere, are not
    assert (await guesser.login("bob", "bob password!")).status_code == 429
    elsewhere = ApiClient(app.test_client())
    for name, password in (("bob", "bob password!"), ("alice", "alice password")):
        answer = await elsewhere.post("/api/auth/login",
                                      json={"username": name, "password": password},
                                      scope_base={"client": ("192.0.2.7", 50000)})
        assert answer.status_code == 200
    assert (await alice.get("/api/me")).status_code == 200  # live sessions are untouched


async def test_unknown_usernames_are_throttled_alike(app, auth):
    """The 429 does not tell an attacker which usernames exist."""
    for _ in range(5):
        assert (await auth.login("nobody", "wrong password")).status_code == 401
    blocked = await auth.login("nobody", "wrong password")
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 1


async def test_throttle_lifts_after_its_window(tmp_path):
    app = create_app({"DATA_DIR": tmp_path, "LOGIN_MAX_FAILURES": 2, "LOGIN_WINDOW_S": 1})
    async with app.test_app():
        auth = AuthActions(ApiClient(app.test_client()))
        await auth.signup("alice", "alice password")
        for _ in range(2):
            await auth.login("alice", "wrong password")
        assert (await auth.login("alice", "alice password")).status_code == 429
        deadline = time.monotonic() + 5
        while (status := (await auth.login("alice", "alice password")).status_code) == 429:
            assert time.monotonic() < deadline, "still throttled after the window"
        assert status == 200


# --- open redirects -------------------------------------------------------------------------


def assert_same_site(location: str) -> None:
    parts = urlsplit(location)
    assert not location.startswith(("//", "/\\", "\\")), location
    assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost"), location


async def test_next_parameters_never_redirect_off_site(app, client, auth):
    await auth.signup("alice", "alice password")
    hostile = {"next": EVIL, "redirect_uri": f"{EVIL}/cb", "return_to": EVIL, "url": EVIL}
    login = await client.post(
        "/api/auth/login",
        json={"username": "alice", "password": "alice password"},
        query_string=hostile,
    )
    assert login.status_code == 200 and "Location" not in login.headers
    start = await client.get("/auth/spotify/login", query_string=hostile)
    authorize = urlsplit(start.headers["Location"])
    assert f"{authorize.scheme}://{authorize.netloc}" == SPOTIFY  # the configured accounts URL
    query = parse_qs(authorize.query)
    assert query["redirect_uri"] == ["http://localhost/auth/spotify/callback"]
    denied = await client.get(
        "/auth/spotify/callback",
        query_string={"state": query["state"][0], "error": "access_denied", **hostile},
    )
    assert denied.status_code == 302 and denied.headers["Location"] == "/?spotify=denied"


@pytest.mark.parametrize(
    "path",
    [
        "//evil.example",
        "//evil.example/",
        "/\\evil.example",
        "/%2F%2Fevil.example",
        "/%5Cevil.example",
        "///evil.example/%2e%2e",
        "/api//me",
        "/api/interactions/",
        "/assets//evil.example/x.js",
        "/icons/..%2F..%2Fevil.example",
        "/settings?next=https://evil.example",
    ],
)
async def test_odd_paths_never_redirect_off_site(client, path):
    response = await client.get(path)
    assert response.status_code < 500
    if 300 <= response.status_code < 400:
        assert_same_site(response.headers["Location"])
    elif response.status_code >= 400:
        assert (await response.get_json())["error"]["code"]
