"""Tests whose listener's Subsonic account is on the real server (Supysonic) rather than the
emulator: an app allowed to reach it, with the client's usual timeout (Supysonic is slower to
answer than the emulator)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.supysonic import SupysonicServer


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    return {"TESTING": True, "DATA_DIR": tmp_path / "data",
            "SUBSONIC_ALLOWED_HOSTS": ["127.0.0.1"]}


@pytest.fixture
def subsonic_account(supysonic: SupysonicServer) -> dict[str, str]:
    """The listener's own account on the real Supysonic."""
    return {"url": supysonic.url, "username": supysonic.username, "password": supysonic.password}
