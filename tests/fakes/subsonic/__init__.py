"""A local OpenSubsonic server built from the reference (../shared/reference/opensubsonic):
token, password and API-key sign-in, OpenSubsonic extensions (playbackReport,
sonicSimilarity, ...), and switches for the failures a real server has.

    from tests.fakes.subsonic import run_subsonic
    with run_subsonic() as server:          # user "listener", password "listen-password",
        server.url                          # API key "listener-api-key"
        server.state.set(latency_s=5, fail_code=50, open_subsonic=False)
        server.state.scrobbles              # what listeners did
"""

from .app import create_emulator
from .runner import RunningSubsonic, run_subsonic
from .state import EmulatorState

__all__ = ["EmulatorState", "RunningSubsonic", "create_emulator", "run_subsonic"]
