"""Run the emulator on a free 127.0.0.1 port in a background thread (its own event loop)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from ..serving import ThreadedServer
from .app import create_emulator
from .state import EmulatorState


class RunningEmulator(ThreadedServer):
    """`with RunningEmulator(config) as emu:` -> emu.url, emu.state (flip switches, read tokens)."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        super().__init__(create_emulator(config), "spotify-emulator")
        self.state: EmulatorState = self.app.extensions["spotify_emulator"]

    def start(self, timeout: float = 10.0) -> RunningEmulator:
        super().start(timeout)
        return self

    def __enter__(self) -> RunningEmulator:
        return self.start()


@contextlib.contextmanager
def run_emulator(**config: Any) -> Iterator[RunningEmulator]:
    """`with run_emulator(redirect_uris=[...], new_app_mode=True) as emulator: ...`"""
    with RunningEmulator(config) as emulator:
        yield emulator
