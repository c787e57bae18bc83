"""A faithful local stand-in for accounts.spotify.com, api.spotify.com and the Web Playback SDK.

    from tests.fakes.spotify import run_emulator
    with run_emulator(redirect_uris=["http://127.0.0.1:8000/auth/spotify/callback"]) as spotify:
        spotify.url           # accounts, Web API (/v1) and /spotify-player.js all live here
        spotify.state.set(new_app_mode=True, rate_limit=5)
"""

from .app import create_emulator
from .runner import RunningEmulator, run_emulator
from .state import EmulatorState

__all__ = ["EmulatorState", "RunningEmulator", "create_emulator", "run_emulator"]
