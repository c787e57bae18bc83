"""One HTTP/1.1 connection driven by hand (h11), for what a client library hides: whether the
server keeps a connection usable after answering a request whose body came late."""

from __future__ import annotations

import contextlib
import socket

import h11


def answered_twice(port: int, method: str, target: str, headers: list[tuple[str, str]],
                   body: bytes) -> list[int]:
    """Send the request twice on one connection, the first one's body slowly (its headers and
    a piece, then the rest half a second later); the statuses that came back (one when the
    server hung up after the first)."""
    client = h11.Connection(h11.CLIENT)
    request = h11.Request(method=method, target=target, headers=[
        ("Host", f"127.0.0.1:{port}"), *headers, ("Content-Length", str(len(body)))])
    statuses: list[int] = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:

        def answer() -> None:
            """Read one answer (its status into `statuses`), unless the server hangs up."""
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
