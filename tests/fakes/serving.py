"""Serve an ASGI app on a free 127.0.0.1 port from a background thread (its own event loop):
how the emulators run inside a test process. Shared by the Spotify and Subsonic emulators."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from typing import Any

import httpx
from hypercorn.asyncio import serve
from hypercorn.config import Config


class ThreadedServer:
    """`start()` binds, serves and waits until `health_path` answers 200; `stop()` ends it."""

    health_path = "/__emulator/health"

    def __init__(self, app: Any, name: str) -> None:
        self.app = app
        self.name = name
        self.url = ""
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self, timeout: float = 10.0) -> Any:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        self.port = sock.getsockname()[1]
        config = Config()
        config.bind = [f"fd://{sock.detach()}"]  # hypercorn owns (and closes) the bound socket
        config.graceful_timeout = 1.0
        config.accesslog = None
        config.loglevel = "WARNING"
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._run, args=(config,), daemon=True,
                                        name=f"{self.name}-{self.port}")
        self._thread.start()
        deadline = time.monotonic() + timeout
        while True:  # wait until it answers
            if self._error is not None:
                raise RuntimeError(f"{self.name} failed to start") from self._error
            try:
                if httpx.get(f"{self.url}{self.health_path}", timeout=1.0).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} did not answer on {self.url}")
            time.sleep(0.02)

    def _run(self, config: Config) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._stop = asyncio.Event()
            loop.run_until_complete(serve(self.app, config, shutdown_trigger=self._stop.wait))
        except BaseException as err:  # surfaced by start()/stop()
            self._error = err
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # loop already gone
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
