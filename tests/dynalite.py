"""A real DynamoDB-compatible server for tests: dynalite (npm) on a free 127.0.0.1 port.

Data lives in LevelDB under `--path`, so a SIGKILLed server restarted on the same path and
port still has every write it acknowledged. Use the shared `dynalite_server` fixture (one
server per test session; give each test its own table prefix), or a private `Dynalite`
when a test kills the server:

    from tests.dynalite import dynalite_server  # noqa: F401
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DYNALITE_BIN = ROOT / "node_modules" / ".bin" / "dynalite"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Dynalite:
    """One dynalite process; `kill()` and `restart()` keep the path and the port."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path = path
        self.port = port or free_port()
        self._proc: subprocess.Popen[bytes] | None = None
        self._log = path.parent / f"{path.name}.log"

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> None:
        if not DYNALITE_BIN.exists():
            pytest.fail(
                f"{DYNALITE_BIN} is missing: run `make test` (or `npm ci`) to install dynalite",
                pytrace=False,
            )
        self.path.mkdir(parents=True, exist_ok=True)
        cmd = [str(DYNALITE_BIN), "--host", "127.0.0.1", "--port", str(self.port),
               "--path", str(self.path),
               "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"]
        with self._log.open("ab") as log:
            self._proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"dynalite exited early: {self._log.read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"dynalite did not answer within {timeout} s on port {self.port}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing; what survives is what was on disk."""
        if self._proc is not None and self._proc.poll() is None:
            os.kill(self._proc.pid, signal.SIGKILL)
        if self._proc is not None:
            self._proc.wait(timeout=10)
        self._proc = None

    def restart(self) -> None:
        self.kill()
        self.start()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None


@pytest.fixture(scope="session")
def dynalite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dynalite]:
    server = Dynalite(tmp_path_factory.mktemp("dynalite") / "db")
    server.start()
    yield server
    server.kill()


_app_prefixes = itertools.count()


def store_settings(request: pytest.FixtureRequest) -> dict[str, str]:
    """`create_app` settings for the store a `params=["sqlite", "dynamodb"]` fixture names:
    nothing for SQLite (the data dir's file), the shared dynalite with a table prefix of its
    own for DynamoDB (the test module must import `dynalite_server`)."""
    if request.param != "dynamodb":
        return {}
    server: Dynalite = request.getfixturevalue("dynalite_server")
    return {"STORE": "dynamodb", "DYNAMODB_ENDPOINT": server.endpoint_url,
            "DYNAMODB_TABLE_PREFIX": f"app{next(_app_prefixes)}_"}
