"""What Hypercorn answers before Encore sees a request (malformed HTTP, oversized head): a
status with an empty body, not DESIGN.md's JSON error; the connection is closed. Real server
process, raw sockets; docs/bad-inputs.md's table is generated from this list."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.security.generated_docs import check_or_write, table
from tests.security.hostile_requests import raw_exchange
from tests.servers import EncoreProcess

CASES = [  # (what, raw request)
    ("a header over 64 KiB", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: "
     + b"a" * 70_000 + b"\r\n\r\n"),
    ("a URL over 64 KiB", b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("a request line that is not HTTP", b"GARBAGE\r\n\r\n"),
    ("HTTP/1.1 without Host", b"GET /healthz HTTP/1.1\r\n\r\n"),
    ("Content-Length: abc", b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
     b"Content-Length: abc\r\n\r\n"),
    ("a NUL byte in a header value", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n"),
    ("a line break inside a header name", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX\rA: b\r\n\r\n"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EncoreProcess]:
    process = EncoreProcess("serve", tmp_path_factory.mktemp("raw")).start()
    yield process
    process.stop()


def test_malformed_http_gets_a_bare_status_from_hypercorn(server: EncoreProcess) -> None:
    rows = []
    for what, data in CASES:
        status, headers, body = raw_exchange(server.port, data)
        assert status in (400, 431), what
        assert body == b"" and headers.get("content-length") == "0", what
        assert headers.get("connection") == "close", what
        rows.append([what, str(status), "empty (`content-length: 0`), connection closed"])
    check_or_write("hypercorn", table(["request", "status", "body"], rows))
    assert "Traceback" not in server.log.read_text()
