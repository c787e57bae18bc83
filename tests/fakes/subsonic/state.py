"""Everything the emulator remembers: users, the library, what listeners did (scrobbles,
stars, playback reports, now playing), every request it answered, and the switches tests flip.

One `EmulatorState` per app (`app.extensions["subsonic_emulator"]`, `RunningSubsonic.state`).
Tests in another thread only flip switches or read records: single attribute operations.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .catalog import Catalog, build_catalog

EXTENSIONS = {  # what an up-to-date OpenSubsonic server (Navidrome 0.5x) announces
    "apiKeyAuthentication": [1], "playbackReport": [1], "sonicSimilarity": [1],
    "formPost": [1], "songLyrics": [1], "transcodeOffset": [1],
}
SWITCH_DEFAULTS: dict[str, Any] = {
    "open_subsonic": True,  # False: a plain Subsonic server (no getOpenSubsonicExtensions)
    "api_version": "1.16.1",
    "extensions": EXTENSIONS,
    "token_auth": True,  # False: tokens answer error 41 (as for LDAP accounts)
    "password_auth": True,  # False: `p=` answers error 42 (API keys only)
    "latency_s": 0.0,  # every answer waits this long (a slow server)
    "fail_code": None,  # every signed call answers `status: failed` with this code
    "fail_methods": None,  # ...only these methods (None: all but getOpenSubsonicExtensions)
    "http_status": None,  # every call answers this HTTP status with an HTML page (a proxy)
    "redirect_to": None,  # every call answers 302 to this URL
    "post_ranges": True,  # False: a POST's Range is ignored (Werkzeug-based servers)
}
SERVER_TYPE = "encore-emulator"
SERVER_VERSION = "0.9.0"


@dataclass
class Account:
    username: str
    password: str
    api_keys: set[str] = field(default_factory=set)
    starred: dict[str, datetime] = field(default_factory=dict)  # song id -> when
    plays: dict[str, int] = field(default_factory=dict)  # song id -> submitted scrobbles
    playlists: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # id -> (name, songs)


@dataclass
class Scrobble:
    username: str
    song_id: str
    time_ms: int
    submission: bool


@dataclass
class Report:
    username: str
    media_id: str
    state: str
    position_ms: int
    ignore_scrobble: bool


@dataclass
class Request:
    method: str  # the API method, e.g. "getRandomSongs"
    http_method: str
    params: list[tuple[str, str]]  # as sent (query string and form body), repeated names kept
    in_url: list[str] = field(default_factory=list)  # the names sent in the query string


class EmulatorState:
    def __init__(self, config: dict[str, Any] | None = None) -> None:
        config = dict(config or {})
        self.catalog: Catalog = build_catalog(**config.pop("catalog", {}))
        self.accounts: dict[str, Account] = {}
        for spec in config.pop("users", [("listener", "listen-password", "listener-api-key")]):
            name, password, *keys = spec
            self.accounts[name] = Account(name, password, set(keys))
        # every account has two playlists of the catalog's songs, in a fixed order
        songs = sorted(self.catalog.songs)
        for n, account in enumerate(self.accounts.values()):
            account.playlists[f"pl-{n}-1"] = ("Sunday morning", songs[n:n + 12][::-1])
            account.playlists[f"pl-{n}-2"] = ("Workout", songs[-(n + 8):len(songs) - n])
        self.switches: dict[str, Any] = dict(SWITCH_DEFAULTS)
        self.set(**config)
        self.scrobbles: list[Scrobble] = []
        self.reports: list[Report] = []
        self.now_playing: dict[str, tuple[str, float, str]] = {}  # user -> (song, at, state)
        self.requests: list[Request] = []

    def set(self, **switches: Any) -> None:
        unknown = set(switches) - set(SWITCH_DEFAULTS)
        if unknown:
            raise ValueError(f"unknown switches: {sorted(unknown)}")
        self.switches.update(switches)

    def reset(self) -> None:
        self.switches = dict(SWITCH_DEFAULTS)

    def account_for_key(self, api_key: str) -> Account | None:
        return next((a for a in self.accounts.values() if api_key in a.api_keys), None)

    def record_scrobble(self, account: Account, song_id: str, time_ms: int,
                        submission: bool) -> None:
        self.scrobbles.append(Scrobble(account.username, song_id, time_ms, submission))
        if submission:
            account.plays[song_id] = account.plays.get(song_id, 0) + 1
        else:
            self.now_playing[account.username] = (song_id, time.time(), "playing")

    def requests_for(self, method: str) -> list[Request]:
        return [r for r in self.requests if r.method == method]

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)
