"""Fixtures shared by the backend tests: an app on a real SQLite file, a client that
behaves like the page (sends the CSRF header), and `auth` actions that read as a user."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from backend import create_app
from backend.app_types import EncoreApp
from tests.supysonic import SupysonicServer, make_music

PAGE_HEADERS = {"X-Requested-With": "encore"}


class ApiClient:
    """The Quart test client with the page's CSRF header on state-changing calls."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    async def get(self, path: str, **kwargs: Any) -> Any:
        return await self.raw.get(path, **kwargs)

    async def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**PAGE_HEADERS, **kwargs.pop("headers", {})}
        return await getattr(self.raw, method)(path, headers=headers, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> Any:
        return await self._send("post", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> Any:
        return await self._send("patch", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> Any:
        return await self._send("put", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> Any:
        return await self._send("delete", path, **kwargs)


class AuthActions:
    def __init__(self, client: ApiClient) -> None:
        self.client = client

    async def signup(
        self, username: str = "ada", password: str = "correct horse", **extra: Any
    ) -> Any:
        return await self.client.post(
            "/api/auth/signup", json={"username": username, "password": password, **extra}
        )

    async def login(self, username: str = "ada", password: str = "correct horse") -> Any:
        return await self.client.post(
            "/api/auth/login", json={"username": username, "password": password}
        )

    async def logout(self) -> Any:
        return await self.client.post("/api/auth/logout")


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    return {"TESTING": True, "DATA_DIR": tmp_path / "data"}


@pytest.fixture
async def app(app_config: dict[str, Any]) -> AsyncIterator[EncoreApp]:
    application = create_app(app_config)
    async with application.test_app():
        yield application


@pytest.fixture
def client(app: EncoreApp) -> ApiClient:
    return ApiClient(app.test_client())


@pytest.fixture
def auth(client: ApiClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture(scope="session")
def supysonic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SupysonicServer]:
    """A real Subsonic server (tests/supysonic.py) over a generated folder of audio files."""
    root = tmp_path_factory.mktemp("supysonic")
    make_music(root / "music")
    server = SupysonicServer(root / "server", root / "music").start()
    yield server
    server.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API keeps an event loop running in this thread
    while its fixtures live, which the asyncio tests must never see."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
