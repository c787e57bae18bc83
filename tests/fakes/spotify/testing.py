"""Helpers for tests that need a Spotify login without a browser: PKCE pairs and the consent
form submitted over real HTTP, as a user clicking "Agree" would."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from .runner import RunningEmulator
from .state import DEFAULT_SCOPES


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge)."""
    verifier = secrets.token_urlsafe(48)[:64]
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def consent(emulator: RunningEmulator, *, redirect_uri: str, user: str = "premium-user",
            scope: str = DEFAULT_SCOPES, state: str = "st-1", challenge: str | None = None,
            agree: bool = True) -> dict[str, str]:
    """Open /authorize, pick `user`, press Agree (or Cancel); return the redirect's query."""
    params = {"client_id": emulator.state.client.client_id, "response_type": "code",
              "redirect_uri": redirect_uri, "scope": scope, "state": state}
    if challenge:
        params |= {"code_challenge_method": "S256", "code_challenge": challenge}
    with httpx.Client(base_url=emulator.url) as http:
        page = http.get("/authorize", params=params)
        page.raise_for_status()
        found = re.search(r'name=request_id value="([^"]+)"', page.text)
        assert found, page.text
        answer = http.post("/authorize", data={"request_id": found.group(1), "user": user,
                                               "action": "agree" if agree else "cancel"})
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(redirect_uri)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def login(emulator: RunningEmulator, *, redirect_uri: str, user: str = "premium-user",
          scope: str = DEFAULT_SCOPES) -> dict[str, Any]:
    """The whole PKCE code flow; returns the token answer."""
    verifier, challenge = pkce_pair()
    code = consent(emulator, redirect_uri=redirect_uri, user=user, scope=scope,
                   challenge=challenge)["code"]
    answer = httpx.post(f"{emulator.url}/api/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
        "client_id": emulator.state.client.client_id, "code_verifier": verifier})
    answer.raise_for_status()
    tokens: dict[str, Any] = answer.json()
    return tokens
