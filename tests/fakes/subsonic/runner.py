"""Run the emulator on a free 127.0.0.1 port in a background thread."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from ..serving import ThreadedServer
from .app import create_emulator
from .state import EmulatorState


class RunningSubsonic(ThreadedServer):
    """`with RunningSubsonic(config) as server:` -> server.url, server.state."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        super().__init__(create_emulator(config), "subsonic-emulator")
        self.state: EmulatorState = self.app.extensions["subsonic_emulator"]

    def start(self, timeout: float = 10.0) -> RunningSubsonic:
        super().start(timeout)
        return self

    def __enter__(self) -> RunningSubsonic:
        return self.start()


@contextlib.contextmanager
def run_subsonic(**config: Any) -> Iterator[RunningSubsonic]:
    """`with run_subsonic(open_subsonic=False) as server: ...`"""
    with RunningSubsonic(config) as server:
        yield server
