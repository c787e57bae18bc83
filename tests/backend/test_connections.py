"""A request the server refuses early (a 404, nobody signed in, no CSRF header) still leaves
its connection usable: Hypercorn closes a connection whose request body was left unread, and a
client's next request on it (httpx, a script, an app) failed with "Server disconnected"."""

from __future__ import annotations

import json

import pytest

from tests.http1 import answered_twice
from tests.servers import EncoreProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    running = EncoreProcess("serve", tmp_path_factory.mktemp("connections") / "data").start()
    yield running
    running.stop()


@pytest.mark.parametrize(("method", "path", "csrf", "status"), [
    ("POST", "/api/no-such-thing", True, 404),
    ("POST", "/api/playlists", True, 401),  # nobody signed in
    ("POST", "/api/playlists", False, 403),  # no CSRF header
    ("PATCH", "/api/me/settings", True, 401),
    ("PUT", "/api/me/settings", True, 405),
])
def test_an_early_refusal_leaves_the_connection_usable(server: EncoreProcess, method: str,
                                                       path: str, csrf: bool,
                                                       status: int) -> None:
    body = json.dumps({"name": "Road trip", "track_ids": ["demo-0001"] * 200}).encode()
    headers = [("Content-Type", "application/json")]
    if csrf:
        headers.append(("X-Requested-With", "encore"))
    assert answered_twice(server.port, method, path, headers, body) == [status, status]
