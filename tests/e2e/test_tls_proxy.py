"""Encore behind a TLS-terminating nginx, as docs/deploy.md sets it up (issue 9, item 3):
Chromium, trusting the test's certificate by its key, signs up, plays a track, skips it and
logs out through the proxy; every write passes the CSRF check, the session cookie is
`__Host-` and Secure, the Spotify redirect URI is the public one, and the skip is stored once.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright

from tests.fakes.spotify import RunningEmulator
from tests.servers import EncoreProcess
from tests.tls_proxy import NGINX, Nginx

from .conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    FAKE_SPOTIFY_ORIGIN,
    Server,
    build_pwa,
    route_spotify,
    sign_up,
    unique_name,
    wait_until,
)

pytestmark = pytest.mark.e2e


@dataclass
class Proxied:
    nginx: Nginx
    server: Server  # url: the public https origin (nginx)
    encore: EncoreProcess


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxied]:
    if not Path(NGINX).exists():
        pytest.skip("Debian's nginx is not installed (make system)")
    build_pwa()
    encore = EncoreProcess("serve", tmp_path_factory.mktemp("tls-encore"))
    nginx = Nginx(encore.port, tmp_path_factory.mktemp("nginx"))
    callback = f"{nginx.origin}/auth/spotify/callback"
    with RunningEmulator({"redirect_uris": [callback],
                          "public_origin": FAKE_SPOTIFY_ORIGIN}) as emulator:
        encore.env = {  # docs/deploy.md's two settings; no redirect URI: derived from the origin
            "ENCORE_PUBLIC_ORIGIN": nginx.origin,
            "ENCORE_TRUSTED_PROXY_HOPS": "1",
            "ENCORE_SPOTIFY_CLIENT_ID": emulator.state.client.client_id,
            "ENCORE_SPOTIFY_CLIENT_SECRET": emulator.state.client.client_secret,
            "ENCORE_SPOTIFY_ACCOUNTS_URL": emulator.url,
            "ENCORE_SPOTIFY_API_URL": f"{emulator.url}/v1",
        }
        encore.start()
        try:
            nginx.start()
            yield Proxied(nginx, Server(nginx.origin, emulator, encore.data_dir), encore)
        finally:
            nginx.stop()
            encore.stop()


@pytest.fixture(scope="module")
def tls_browser(playwright: Playwright, proxied: Proxied) -> Iterator[Browser]:
    """Chromium that trusts the proxy's certificate (pinned by its public key), so the page
    is a secure context with a valid certificate: service worker, __Host- cookies."""
    pin = f"--ignore-certificate-errors-spki-list={proxied.nginx.certificate.spki_sha256}"
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, pin])
    yield browser
    browser.close()


@pytest.fixture
def tls_page(tls_browser: Browser, proxied: Proxied) -> Iterator[Page]:
    context = tls_browser.new_context(base_url=proxied.server.url,
                                      viewport={"width": 1280, "height": 800})
    route_spotify(context, proxied.server)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.unroute_all(behavior="ignoreErrors")
    context.close()


def _fetch_json(page: Page, path: str, method: str = "GET", body: Any = None) -> Any:
    """A request from the page itself (Chromium's network stack, its cookies, its Origin)."""
    return page.evaluate(
        """async ([path, method, body]) => {
            const init = {method, headers: {'X-Requested-With': 'encore'}};
            if (body !== null) {
                init.body = JSON.stringify(body);
                init.headers['Content-Type'] = 'application/json';
            }
            const answer = await fetch(path, init);
            return {status: answer.status, body: await answer.text()};
        }""",
        [path, method, body],
    )


def test_listening_through_a_tls_proxy(tls_page: Page, proxied: Proxied) -> None:
    page, nginx = tls_page, proxied.nginx
    username = unique_name("tls")
    sign_up(page, username)
    assert page.evaluate("() => window.isSecureContext && location.protocol") == "https:"
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert set(cookies) == {"__Host-encore_session", "encore_signed_in"}
    session = cookies["__Host-encore_session"]
    assert session["secure"] and session["httpOnly"] and session["path"] == "/"
    hint = cookies["encore_signed_in"]  # the page's "signed in", no secret: readable, Secure
    assert hint["value"] == "1" and hint["secure"] and not hint["httpOnly"]
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    # The Spotify redirect URI is built on the public origin, not the node's own address.
    context = ssl.create_default_context(cafile=str(nginx.certificate.ca))
    login = httpx.get(f"{nginx.origin}/auth/spotify/login", verify=context,
                      headers={"Cookie": f"__Host-encore_session={session['value']}"})
    assert login.status_code == 302
    redirect_uri = parse_qs(urlsplit(login.headers["Location"]).query)["redirect_uri"]
    assert redirect_uri == [f"{nginx.origin}/auth/spotify/callback"]

    first = page.locator("#feed-list .track-card").first
    skipped_id = first.get_attribute("data-track-id")
    first.get_by_role("button", name="Play").click()
    player = page.locator("#player")
    wait_until(lambda: int(player.get_attribute("data-position") or 0) >= 3000, timeout=30,
               message="3 s of the first track")
    page.get_by_role("button", name="Next (skip)").click()
    wait_until(lambda: player.get_attribute("data-track-id") not in (None, skipped_id),
               message="the next track")

    page.get_by_role("link", name="Settings").click()
    page.get_by_role("heading", name="Settings").wait_for()
    page.wait_for_function("() => document.body.dataset.outboxPending === '0'")
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Log in").wait_for()
    assert not {c["name"] for c in page.context.cookies()} & {"__Host-encore_session",
                                                             "encore_signed_in"}
    assert _fetch_json(page, "/api/me")["status"] == 401

    # Back in through the proxy: the skip is there, once.
    signed_in = _fetch_json(page, "/api/auth/login", "POST",
                            {"username": username, "password": "listen-to-the-end"})
    assert signed_in["status"] == 200, signed_in
    listed = _fetch_json(page, "/api/interactions?limit=500")
    assert listed["status"] == 200
    stored = httpx.Response(200, text=listed["body"]).json()["interactions"]
    skips = [i for i in stored if i["type"] == "skipped"]
    assert [(s["track_id"]) for s in skips] == [skipped_id]
    assert 3000 <= skips[0]["position_ms"] < 10_000

    # Every request went through nginx, and no write was refused on the way.
    seen = nginx.requests()
    for request in ("POST /api/auth/signup 201", "POST /api/interactions 200",
                    "POST /api/auth/logout 204", "POST /api/auth/login 200"):
        assert request in seen, (request, seen)
    assert not [r for r in seen if r.endswith((" 403", " 500", " 502", " 504"))]


def test_a_spoofed_forwarded_proto_from_a_client_is_replaced_by_the_proxy(
        proxied: Proxied) -> None:
    """nginx sets X-Forwarded-Proto itself, so a client cannot make Encore believe http, and
    a write from a foreign origin is refused through the proxy as it is directly."""
    nginx = proxied.nginx
    context = ssl.create_default_context(cafile=str(nginx.certificate.ca))
    with httpx.Client(base_url=nginx.origin, verify=context) as client:
        foreign = client.post("/api/auth/signup", headers={"Origin": "https://evil.example"},
                              json={"username": unique_name("evil"), "password": "x" * 12})
        assert foreign.status_code == 403
        spoofed = client.post("/api/auth/signup",
                              headers={"Origin": nginx.origin, "X-Forwarded-Proto": "http",
                                       "X-Forwarded-For": "192.0.2.1"},
                              json={"username": unique_name("spoof"), "password": "x" * 12})
        assert spoofed.status_code == 201
        assert spoofed.headers["Set-Cookie"].startswith("__Host-encore_session=")
