"""What protects a signed-in user: cookies, CSRF, headers, sessions, errors that leak nothing."""

from __future__ import annotations

import pytest

from backend import create_app
from tests.conftest import ApiClient, AuthActions


def _set_cookie(response) -> str:
    return response.headers.get("Set-Cookie", "")


async def test_session_cookie_is_httponly_samesite_lax(auth):
    cookie = _set_cookie(await auth.signup())
    assert cookie.startswith("encore_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/" in cookie


def _hint(response) -> str | None:
    """The Set-Cookie of the page's signed-in hint in `response`, if it sets or clears it."""
    return next((c for c in response.headers.getlist("Set-Cookie")
                 if c.startswith("encore_signed_in=")), None)


async def test_the_pages_signed_in_hint_follows_the_session(app, auth):
    """The page reads "signed in" from a cookie it can see, so a signed-out visit asks nothing
    that answers 401 (an error in the browser's console); the session cookie stays HttpOnly."""
    hint = _hint(await auth.signup())
    assert hint and hint.startswith("encore_signed_in=1;") and "HttpOnly" not in hint
    assert "SameSite=Lax" in hint and "Path=/" in hint and "Max-Age=2592000" in hint
    raw = auth.client.raw
    assert _hint(await raw.get("/api/me")) is None  # already there: not sent again
    assert "encore_signed_in=1;" in _hint(await auth.login())  # a new session: a new hint
    assert "Max-Age=0" in (_hint(await auth.logout()) or "")
    assert _hint(await raw.get("/api/me")) is None  # signed out, no hint: nothing to say

    # A session from before the hint gets it; a session that ended elsewhere loses it.
    sid = _set_cookie(await auth.login()).split(";")[0].split("=", 1)[1]
    before = app.test_client()
    answer = await before.get("/", headers={"Cookie": f"encore_session={sid}"})
    assert "encore_signed_in=1;" in (_hint(answer) or "")
    await auth.logout()
    answer = await before.get("/api/me",
                              headers={"Cookie": f"encore_session={sid}; encore_signed_in=1"})
    assert answer.status_code == 401 and "Max-Age=0" in (_hint(answer) or "")


async def test_over_https_cookie_is_secure_with_host_prefix(app):
    raw = app.test_client()
    response = await raw.post(
        "/api/auth/signup",
        json={"username": "secure", "password": "long enough"},
        headers={"Origin": "https://localhost"},
        scheme="https",
    )
    assert response.status_code == 201
    cookie = _set_cookie(response)
    assert cookie.startswith("__Host-encore_session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "Domain" not in cookie


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {},  # neither Origin nor the page's header
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site", "X-Requested-With": "encore"},
    ],
)
async def test_cross_site_state_change_is_refused(app, auth, headers):
    await auth.signup()
    raw = auth.client.raw
    response = await raw.patch("/api/me/settings", json={"exploration": 0.9}, headers=headers)
    assert response.status_code == 403
    assert (await response.get_json())["error"]["code"] == "csrf_failed"
    me = await (await raw.get("/api/me")).get_json()
    assert me["settings"]["exploration"] == 0.3


async def test_same_origin_request_passes_csrf(auth):
    await auth.signup()
    raw = auth.client.raw
    response = await raw.patch(
        "/api/me/settings", json={"exploration": 0.9}, headers={"Origin": "http://localhost"}
    )
    assert response.status_code == 200


async def test_cross_site_signup_is_refused(app):
    response = await app.test_client().post(
        "/api/auth/signup",
        json={"username": "victim", "password": "long enough"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert await app.store.get_user("victim") is None


async def test_logout_ends_the_session_on_the_server(app, auth):
    response = await auth.signup()
    sid = _set_cookie(response).split(";")[0].split("=", 1)[1]
    await auth.logout()
    # A copy of the old cookie (say, stolen earlier) no longer works.
    other = app.test_client()
    assert (
        await other.get("/api/me", headers={"Cookie": f"encore_session={sid}"})
    ).status_code == 401


async def test_login_issues_a_fresh_session_id(app, auth):
    first = _set_cookie(await auth.signup()).split(";")[0]
    second = _set_cookie(await auth.login()).split(";")[0]
    assert first != second
    old_sid = first.split("=", 1)[1]
    raw = app.test_client()
    assert (
        await raw.get("/api/me", headers={"Cookie": f"encore_session={old_sid}"})
    ).status_code == 401


async def test_user_comes_from_the_session_not_the_body(app, client):
    alice, bob = AuthActions(client), AuthActions(ApiClient(app.test_client()))
    await alice.signup("alice", "alice password")
    await bob.signup("bob", "bob password!")
    response = await bob.client.patch(
        "/api/me/settings", json={"exploration": 1.0, "username": "alice"}
    )
    assert response.status_code == 422  # unknown field, nothing applied
    await bob.client.patch("/api/me/settings", json={"exploration": 1.0})
    alice_me = await (await client.get("/api/me")).get_json()
    assert alice_me["username"] == "alice"
    assert alice_me["settings"]["exploration"] == 0.3


async def test_security_headers_on_api_and_page(client):
    for path in ("/api/me", "/", "/healthz"):
        response = await client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "'wasm-unsafe-eval'" in csp and "https://sdk.scdn.co" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"]
    assert (await client.get("/api/me")).headers["Cache-Control"] == "no-store"
    assert (await client.get("/auth/spotify/login")).headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/playlist/pl-1", "/artist/demo-ar-001", "/album/s1:al-9",
                                  "/settings"])
async def test_a_deep_link_opens_the_app_before_any_service_worker(client, path):
    """A shared link or a reload on a new device: the app's page, not a 404."""
    response = await client.get(path)
    assert response.status_code == 200
    assert '<main id="main"' in (await response.get_data(as_text=True))
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/api/nothing-here", 404, "not_found"),
        ("get", "/playlists/x", 404, "not_found"),  # not one of the page's routes
        ("get", "/no/such/page.js", 404, "not_found"),
        ("get", "/assets/../../pyproject.toml", 404, "not_found"),
        ("get", "/missing.js", 404, "not_found"),
        ("get", "/api/auth/signup", 405, "method_not_allowed"),
        ("put", "/api/me", 405, "method_not_allowed"),  # DELETE /api/me deletes the account
    ],
)
async def test_http_errors_are_json(client, method, path, status, code):
    response = await getattr(client, method)(path)
    assert response.status_code == status
    assert response.content_type.startswith("application/json")
    assert (await response.get_json())["error"]["code"] == code


async def test_unexpected_error_is_json_500_without_a_stack_trace(tmp_path, caplog):
    app = create_app({"TESTING": False, "DATA_DIR": tmp_path})

    @app.get("/api/boom")
    async def boom():
        raise RuntimeError("secret internals")

    async with app.test_app():
        response = await app.test_client().get("/api/boom")
    assert response.status_code == 500
    body = await response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
    error = (await response.get_json())["error"]
    assert error["code"] == "internal_error" and "request" in error["message"]
    assert "secret internals" in caplog.text  # logged for the operator


async def test_healthz_and_metrics(client, auth):
    health = await (await client.get("/healthz")).get_json()
    assert health["status"] == "ok" and health["store"]["reachable"] is True and health["version"]
    await auth.signup()
    metrics = await (await client.get("/metrics")).get_data(as_text=True)
    assert (
        'encore_http_requests_total{method="POST",route="/api/auth/signup",status="201"} 1.0'
        in metrics
    )
    assert "encore_http_request_duration_seconds_bucket" in metrics
    assert "encore_interactions_stored_total" in metrics


async def test_secret_key_generated_once_with_mode_0600(tmp_path):
    first = create_app({"DATA_DIR": tmp_path})
    second = create_app({"DATA_DIR": tmp_path})
    key_file = tmp_path / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()


async def test_the_icon_is_fetched_once_for_its_several_uses(client):
    """The page shows the icon as its brand and its tab icon, and the manifest names it: one
    fetch per day serves them all, where a revalidation each put two more requests on a first
    visit's server."""
    response = await client.get("/icons/icon-192.png")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    assert (await client.get("/manifest.webmanifest")).headers["Cache-Control"] == "no-cache"
