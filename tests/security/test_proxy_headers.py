"""Behind a TLS-terminating proxy (issue 9, item 3), in process: X-Forwarded-* headers are
believed only from ENCORE_TRUSTED_PROXY_HOPS proxies, and ENCORE_PUBLIC_ORIGIN names the
origin the CSRF check, the cookies and the Spotify redirect URI follow.
tests/e2e/test_tls_proxy.py runs the same through nginx and Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from backend import create_app
from backend.app_types import EncoreApp

PUBLIC = "https://music.example"
ADA = {"username": "ada", "password": "correct horse"}
CLIENT = {"client": ("10.0.0.2", 50000)}  # the proxy's address, as a direct peer


def _app(tmp_path: Path, **settings: Any) -> EncoreApp:
    return create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", **settings})


async def _signup(app: EncoreApp, headers: dict[str, str], **kwargs: Any) -> Any:
    return await app.test_client().post("/api/auth/signup", json=ADA, headers=headers,
                                        scope_base=CLIENT, **kwargs)


def _cookie(response: Any) -> str:
    return str(response.headers.get("Set-Cookie", ""))


async def _error_code(response: Any) -> str:
    return str((await response.get_json())["error"]["code"])


async def test_without_trusted_hops_a_spoofed_forwarded_proto_is_not_believed(tmp_path):
    app = _app(tmp_path)
    async with app.test_app():
        spoofed = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "localhost"}
        refused = await _signup(app, {"Origin": "https://localhost", **spoofed})
        assert refused.status_code == 403 and await _error_code(refused) == "csrf_failed"
        other_host = await _signup(app, {"Origin": "http://evil.example",
                                         "X-Forwarded-Host": "evil.example"})
        assert other_host.status_code == 403
        # The truth (plain http on localhost) passes, and the cookie is not made Secure.
        created = await _signup(app, {"Origin": "http://localhost", **spoofed})
        assert created.status_code == 201
        assert _cookie(created).startswith("encore_session=")
        assert "Secure" not in _cookie(created)


async def test_without_trusted_hops_forwarded_for_does_not_escape_the_throttle(tmp_path):
    app = _app(tmp_path, LOGIN_MAX_FAILURES=3)
    async with app.test_app():
        client = app.test_client()
        statuses = []
        for i in range(5):  # a guesser claims a new address every time
            answer = await client.post(
                "/api/auth/login", json={"username": "ada", "password": f"guess {i}"},
                headers={"X-Requested-With": "encore", "X-Forwarded-For": f"198.51.100.{i}"},
                scope_base=CLIENT)
            statuses.append(answer.status_code)
        assert statuses == [401, 401, 401, 429, 429]


async def test_one_trusted_hop_believes_the_proxys_headers(tmp_path):
    app = _app(tmp_path, TRUSTED_PROXY_HOPS=1, LOGIN_MAX_FAILURES=3)
    async with app.test_app():
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "music.example",
                     "X-Forwarded-For": "203.0.113.9"}
        created = await _signup(app, {"Origin": PUBLIC, **forwarded})
        assert created.status_code == 201
        cookie = _cookie(created)
        assert cookie.startswith("__Host-encore_session=") and "Secure" in cookie
        assert "Domain" not in cookie and "Path=/" in cookie
        # The address is the one the proxy added last: what a client put before it is not.
        client = app.test_client()

        async def login(password: str, forwarded_for: str) -> int:
            answer = await client.post(
                "/api/auth/login", json={"username": "ada", "password": password},
                headers={"X-Requested-With": "encore", "X-Forwarded-For": forwarded_for},
                scope_base=CLIENT)
            return int(answer.status_code)

        guesses = [await login(f"guess {i}", f"198.51.100.{i}, 203.0.113.66") for i in range(4)]
        assert guesses == [401, 401, 401, 429]
        assert await login("correct horse", "203.0.113.9") == 200  # the owner, elsewhere


async def test_the_public_origin_decides_csrf_cookies_and_the_spotify_redirect(tmp_path):
    app = _app(tmp_path, PUBLIC_ORIGIN=PUBLIC + "/", SPOTIFY_CLIENT_ID="proxy-client",
               SPOTIFY_ACCOUNTS_URL="http://127.0.0.1:9", SPOTIFY_API_URL="http://127.0.0.1:9/v1")
    assert app.settings.public_origin == PUBLIC
    async with app.test_app():
        # The proxy forwards plain http and no X-Forwarded-* at all: the setting is enough.
        local = await _signup(app, {"Origin": "http://localhost"})
        assert local.status_code == 403  # listeners are on the public origin, not this one
        created = await _signup(app, {"Origin": PUBLIC})
        assert created.status_code == 201
        cookie = _cookie(created)
        assert cookie.startswith("__Host-encore_session=") and "Secure" in cookie
        sid = cookie.split(";")[0].split("=", 1)[1]
        login = await app.test_client().get(
            "/auth/spotify/login", headers={"Cookie": f"__Host-encore_session={sid}"})
        assert login.status_code == 302
        query = parse_qs(urlsplit(login.headers["Location"]).query)
        assert query["redirect_uri"] == [f"{PUBLIC}/auth/spotify/callback"]
