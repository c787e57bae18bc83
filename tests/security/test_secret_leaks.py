"""Secrets never leak: after a full Spotify-connected session against a real server process,
no password, refresh token, client secret or key appears in any HTTP answer we received, in
the server's log, or in plain text anywhere in its data folder."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.backend.test_spotify import agree
from tests.fakes.spotify.runner import RunningEmulator
from tests.servers import EncoreProcess

PASSWORD = "leak-test password 7f3a"
WRONG_PASSWORD = "leak-test guess 91bc"
SECRET_KEY = "leak-test-secret-key-0b9e4c1d2a"
MODEL_SECRET = "leak-test-model-secret-5e8f"
EVIL = "https://evil.example"


@pytest.fixture
def emulator() -> Iterator[RunningEmulator]:
    # A 30 s token lifetime is inside the server's 60 s refresh margin: every token request
    # refreshes, so the session goes through several (rotated) refresh tokens.
    with RunningEmulator({"token_ttl": 30}) as running:
        yield running


@pytest.fixture
def server(tmp_path: Path, emulator: RunningEmulator) -> Iterator[EncoreProcess]:
    process = EncoreProcess("serve", tmp_path / "data")
    emulator.state.register_redirect_uri(f"{process.url}/auth/spotify/callback")
    process.env = {
        "ENCORE_SECRET_KEY": SECRET_KEY,
        "ENCORE_MODEL_SECRET": MODEL_SECRET,
        "ENCORE_SPOTIFY_CLIENT_ID": emulator.state.client.client_id,
        "ENCORE_SPOTIFY_CLIENT_SECRET": emulator.state.client.client_secret,
        "ENCORE_SPOTIFY_ACCOUNTS_URL": emulator.url,
        "ENCORE_SPOTIFY_API_URL": f"{emulator.url}/v1",
    }
    process.start()
    try:
        yield process
    finally:
        process.stop()


class Recorder:
    """An httpx client like the page's (cookie jar, CSRF header) that keeps every answer."""

    def __init__(self, base_url: str) -> None:
        self.answers: list[bytes] = []
        self.http = httpx.Client(
            base_url=base_url,
            headers={"X-Requested-With": "encore"},
            event_hooks={"response": [self._keep]},
            timeout=30,
        )

    def _keep(self, response: httpx.Response) -> None:
        response.read()
        head = "\n".join(f"{k}: {v}" for k, v in response.headers.multi_items())
        self.answers.append(f"{response.status_code}\n{head}\n\n".encode() + response.content)

    def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> httpx.Response:
        response = self.http.request(method, path, **kwargs)
        assert response.status_code == status, (path, response.status_code, response.text)
        return response


def listen(feed: dict[str, Any], count: int) -> list[dict[str, Any]]:
    now = int(time.time() * 1000) - 600_000
    return [
        {
            "id": str(uuid.uuid4()),
            "track_id": track["id"],
            "type": "finished" if i % 2 else "skipped",
            "position_ms": track["duration_ms"] if i % 2 else 5_000,
            "duration_ms": track["duration_ms"],
            "at": now + i * 1000,
        }
        for i, track in enumerate(feed["tracks"][:count])
    ]


def a_listening_session(page: Recorder) -> list[str]:
    """What a listener does in one sitting; returns the access tokens the page was given."""
    account = {"username": "leaky", "password": PASSWORD}
    page.ok("POST", "/api/auth/signup", 201, json=account)
    page.ok("POST", "/api/auth/logout", 204)
    page.ok("POST", "/api/auth/login", 401, json={**account, "password": WRONG_PASSWORD})
    page.ok("POST", "/api/auth/login", json=account)
    page.ok("GET", "/api/me")

    start = page.ok("GET", "/auth/spotify/login", 302, params={"next": EVIL})
    consent = agree(start.headers["Location"])
    done = page.ok("GET", "/auth/spotify/callback", 302, params={**consent, "next": EVIL})
    assert done.headers["Location"] == "/?spotify=connected"  # never off-site

    assert page.ok("GET", "/api/me").json()["spotify"]["connected"] is True
    tokens = [page.ok("GET", "/api/spotify/token").json()["access_token"] for _ in range(3)]
    feed = page.ok("GET", "/api/feed").json()
    assert feed["source"] == "spotify"
    page.ok("POST", "/api/interactions", json={"interactions": listen(feed, 8)})
    page.ok("GET", "/api/interactions")
    page.ok("GET", "/api/model")
    page.ok("PATCH", "/api/me/settings", json={"exploration": 0.5})
    page.ok("GET", "/api/feed", params={"refresh": "1"})
    tokens.append(page.ok("GET", "/api/spotify/token").json()["access_token"])
    page.ok("GET", "/healthz")
    page.ok("GET", "/metrics")
    page.ok("POST", "/api/spotify/disconnect", 204)
    page.ok("GET", "/api/spotify/token", 409)
    page.ok("POST", "/api/auth/logout", 204)
    return tokens


def test_no_secret_in_answers_log_or_data_at_rest(server, emulator):
    page = Recorder(server.url)
    with page.http:
        access_tokens = a_listening_session(page)
    state = emulator.state
    refresh_tokens = list(state.refresh_tokens)
    assert len(refresh_tokens) >= 4 and state.counters["refresh_grants"] >= 3
    assert len(set(access_tokens)) >= 3  # the refreshes really happened

    never_answered = {
        "password": PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "client secret": state.client.client_secret,
        "secret key": SECRET_KEY,
        "model secret": MODEL_SECRET,
        **{f"refresh token {i}": token for i, token in enumerate(refresh_tokens)},
    }
    # The recording works: the page was given its access tokens (and only those).
    assert all(any(t.encode() in answer for answer in page.answers) for t in access_tokens)
    for name, secret in never_answered.items():
        leaks = [answer[:200] for answer in page.answers if secret.encode() in answer]
        assert not leaks, f"the {name} was in an HTTP answer: {leaks[0]!r}"

    log = server.log.read_text()
    assert "Encore on http" in log  # the log we read is the server's
    access = {f"access token {i}": token for i, token in enumerate(access_tokens)}
    never_logged = {**never_answered, **access}
    for name, secret in never_logged.items():
        assert secret not in log, f"the {name} is in the server log"
    assert not re.search(r"code=AQ[\w-]{20,}", log), "an authorization code is in the log"

    at_rest = {p: p.read_bytes() for p in server.data_dir.rglob("*") if p.is_file()}
    at_rest.pop(server.log)
    assert any(p.name.startswith("encore.sqlite3") for p in at_rest)
    for name, secret in never_logged.items():
        if name == "secret key":
            continue  # ENCORE_SECRET_KEY comes from the environment; nothing writes it down
        found = [p.name for p, data in at_rest.items() if secret.encode() in data]
        assert not found, f"the {name} is stored in plain text in {found}"
