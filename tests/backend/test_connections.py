"""A request the server refuses early (a 404, nobody signed in, no CSRF header) still leaves
its connection usable: Hypercorn closes a connection whose request body was left unread, and a
client's next request on it (httpx, a script, an app) failed with "Server disconnected"."""

from __future__ import annotations

import contextlib
import json
import socket

import h11
import pytest

from tests.servers import EncoreProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    running = EncoreProcess("serve", tmp_path_factory.mktemp("connections") / "data").start()
    yield running
    running.stop()


def _two_on_one_connection(port: int, method: str, path: str, csrf: bool) -> list[int]:
    """Send the request twice on one connection, the first one's body slowly (its headers and
    a piece, then the rest half a second later); the statuses that came back."""
    body = json.dumps({"name": "Road trip", "track_ids": ["demo-0001"] * 200}).encode()
    client = h11.Connection(h11.CLIENT)
    headers = [("Host", f"127.0.0.1:{port}"), ("Content-Type", "application/json"),
               ("Content-Length", str(len(body)))]
    if csrf:
        headers.append(("X-Requested-With", "encore"))
    request = h11.Request(method=method, target=path, headers=headers)
    statuses: list[int] = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:

        def answer() -> None:
            while True:
                event = client.next_event()
                if event is h11.NEED_DATA:
                    client.receive_data(sock.recv(65536))
                elif isinstance(event, h11.Response):
                    statuses.append(event.status_code)
                elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                    return

        sock.sendall(client.send(request) + client.send(h11.Data(data=body[:10])))
        sock.settimeout(0.5)  # time for an answer that would not wait for the body
        with contextlib.suppress(TimeoutError):
            client.receive_data(sock.recv(65536))
        sock.settimeout(10)
        with contextlib.suppress(OSError):  # the server may have hung up already
            sock.sendall(client.send(h11.Data(data=body[10:])) + client.send(h11.EndOfMessage()))
        answer()
        with contextlib.suppress(h11.LocalProtocolError, h11.RemoteProtocolError, OSError):
            client.start_next_cycle()  # refused when the server closed the connection
            sock.sendall(client.send(request) + client.send(h11.Data(data=body))
                         + client.send(h11.EndOfMessage()))
            answer()
    return statuses


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
    assert _two_on_one_connection(server.port, method, path, csrf) == [status, status]
