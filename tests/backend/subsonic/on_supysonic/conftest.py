"""Tests whose listener's Subsonic account is on the real server (Supysonic) rather than the
emulator: an app allowed to reach it, with the client's usual timeout (Supysonic is slower to
answer than the emulator)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.subsonic_proxy import SubsonicProxy
from tests.supysonic import SupysonicServer


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    return {"TESTING": True, "DATA_DIR": tmp_path / "data",
            "SUBSONIC_ALLOWED_HOSTS": ["127.0.0.1"]}


@pytest.fixture
def subsonic_account(supysonic: SupysonicServer) -> dict[str, str]:
    """The listener's own account on the real Supysonic."""
    return {"url": supysonic.url, "username": supysonic.username, "password": supysonic.password}


@pytest.fixture
def proxy(request: pytest.FixtureRequest, supysonic: SupysonicServer) -> Iterator[SubsonicProxy]:
    """In front of Supysonic, counting what reaches it (a test file makes it the listener's
    address); `param`: the fields it leaves out of the server's answers."""
    running = SubsonicProxy(supysonic.url, drop=getattr(request, "param", frozenset()))
    yield running
    running.close()
