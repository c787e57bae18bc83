"""Run the emulator on a free 127.0.0.1 port in a background thread (its own event loop)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
from hypercorn.asyncio import serve
from hypercorn.config import Config

from .app import create_emulator
from .state import EmulatorState


class RunningEmulator:
    """`with RunningEmulator(config) as emu:` -> emu.url, emu.state (flip switches, read tokens)."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.app = create_emulator(config)
        self.state: EmulatorState = self.app.extensions["spotify_emulator"]
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self, timeout: float = 10.0) -> RunningEmulator:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        port = sock.getsockname()[1]
        config = Config()
        config.bind = [f"fd://{sock.detach()}"]  # hypercorn owns (and closes) the bound socket
        config.graceful_timeout = 1.0
        config.accesslog = None
        config.loglevel = "WARNING"
        self.url = f"http://127.0.0.1:{port}"
        self._thread = threading.Thread(target=self._run, args=(config,), daemon=True,
                                        name=f"spotify-emulator-{port}")
        self._thread.start()
        deadline = time.monotonic() + timeout
        while True:  # wait until it answers
            if self._error is not None:
                raise RuntimeError("emulator failed to start") from self._error
            try:
                if httpx.get(f"{self.url}/__emulator/health", timeout=1.0).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"emulator did not answer on {self.url}")
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

    def __enter__(self) -> RunningEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def run_emulator(**config: Any) -> Iterator[RunningEmulator]:
    """`with run_emulator(redirect_uris=[...], new_app_mode=True) as emu: ...`"""
    with RunningEmulator(config) as emulator:
        yield emulator
