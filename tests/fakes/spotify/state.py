"""Everything the emulator remembers: the registered app, users, codes, tokens, devices, playback,
counters and the run-time switches tests flip (`state.set(new_app_mode=True)`).

One `EmulatorState` per app, reachable as `app.extensions["spotify_emulator"]` and as
`RunningEmulator.state`. It is plain data touched from the server's event loop; tests in another
thread only flip switches or read counters, which are single attribute operations.
"""

from __future__ import annotations

import asyncio
import collections
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .catalog import _BASE62, GENRES, Catalog, build_catalog

SWITCH_DEFAULTS: dict[str, Any] = {
    "new_app_mode": False,  # 403 on audio features/analysis, recommendations, related artists
    "rate_limit": None,  # N Web API requests per rolling `rate_window` seconds, then 429
    "rate_window": 30.0,
    "token_ttl": 3600,  # access token lifetime (expires_in)
    "code_ttl": 600,  # authorization codes are short-lived
    "refresh_token_lifetime": 183 * 86400,  # 6 months from the original authorization
    "rotate_refresh_tokens": True,  # True: new refresh token, old revoked; False: none returned
    "fail_all": False,  # every Web API / token request answers 503 (an outage)
    "fail_next": 0,  # the next N Web API / token requests answer 503 (a blip)
    "sdk_failure": None,  # "initialization_error" | "account_error" | "authentication_error"
    "auto_approve": None,  # user id: /authorize skips the consent page (an earlier approval)
}
DEFAULT_SCOPES = ("user-read-private user-read-email user-top-read user-library-read streaming "
                  "user-read-playback-state user-modify-playback-state playlist-read-private")
TIME_RANGES = ("short_term", "medium_term", "long_term")


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: set[str]
    name: str = "Encore"


@dataclass
class Playlist:
    id: str
    name: str
    owner_id: str  # /items answers 403 to anyone who neither owns it nor collaborates
    owner_name: str
    track_ids: list[str]
    description: str = ""
    collaborative: bool = False
    public: bool = False


@dataclass
class User:
    id: str
    display_name: str
    email: str
    country: str
    product: str  # "premium" | "free"
    top: dict[str, list[str]] = field(default_factory=dict)  # time range -> track ids
    saved: list[tuple[str, str]] = field(default_factory=list)  # (added_at, track id), newest first
    playlists: list[Playlist] = field(default_factory=list)  # owned and followed, newest first


@dataclass
class AuthCode:
    client_id: str
    redirect_uri: str
    user_id: str
    scope: str
    challenge: str | None
    expires_at: float
    used: bool = False


@dataclass
class AccessToken:
    user_id: str
    client_id: str
    scope: str
    expires_at: float


@dataclass
class RefreshToken:
    user_id: str
    client_id: str
    scope: str
    authorized_at: float  # of the original consent; refreshing never moves it
    revoked: bool = False


@dataclass
class Device:
    id: str
    user_id: str
    name: str
    volume: float
    commands: list[dict[str, Any]] = field(default_factory=list)
    wakeup: asyncio.Event | None = None  # created on the server loop by the first long-poll

    def push(self, command: dict[str, Any]) -> None:
        self.commands.append(command | {"seq": len(self.commands) + 1})
        if self.wakeup is not None:
            self.wakeup.set()


@dataclass
class Playback:
    device_id: str
    uris: list[str]
    index: int = 0
    is_playing: bool = True
    progress_ms: int = 0
    timestamp: float = 0.0


class EmulatorState:
    def __init__(self, config: dict[str, Any] | None = None) -> None:
        config = dict(config or {})
        self.seed: int = config.pop("seed", 2026)
        self.public_origin: str | None = config.pop("public_origin", None)
        self.client = Client(
            config.pop("client_id", "encore-test-client"),
            config.pop("client_secret", "encore-test-secret"),
            set(config.pop("redirect_uris", ())),
            config.pop("client_name", "Encore"),
        )
        self.switches: dict[str, Any] = dict(SWITCH_DEFAULTS)
        self.set(**config)  # whatever is left must be a switch
        self.catalog: Catalog = build_catalog(self.seed)
        self.users: dict[str, User] = {
            u.id: u for u in (
                _seed_user(self.catalog, self.seed, "premium-user", "Premium Listener", "premium",
                           ("electronic", "indie", "hip-hop"), 120),
                _seed_user(self.catalog, self.seed, "free-user", "Free Listener", "free",
                           ("pop", "country", "folk"), 45),
            )
        }
        self.codes: dict[str, AuthCode] = {}
        self.pending: dict[str, dict[str, str]] = {}  # consent page id -> checked /authorize query
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.devices: dict[str, Device] = {}
        self.playback: dict[str, Playback] = {}  # user id -> what plays
        self.counters: collections.Counter[str] = collections.Counter()
        self.request_times: collections.deque[float] = collections.deque()
        self.time_offset = 0.0

    # -- switches and clock -------------------------------------------------------------------
    def set(self, **switches: Any) -> None:
        unknown = set(switches) - set(SWITCH_DEFAULTS)
        if unknown:
            raise ValueError(f"unknown emulator switches: {sorted(unknown)}")
        self.switches.update(switches)

    def __getattr__(self, name: str) -> Any:  # state.new_app_mode etc. read the switches
        switches = self.__dict__.get("switches", {})
        if name in switches:
            return switches[name]
        raise AttributeError(name)

    def now(self) -> float:
        return time.time() + self.time_offset

    def advance(self, seconds: float) -> None:
        """Move the emulator's clock forward: expire tokens and codes without sleeping."""
        self.time_offset += seconds

    # -- accounts -----------------------------------------------------------------------------
    def register_redirect_uri(self, uri: str) -> None:
        self.client.redirect_uris.add(uri)

    def issue_code(self, redirect_uri: str, user_id: str, scope: str, challenge: str | None) -> str:
        code = "AQ" + secrets.token_urlsafe(48)
        self.codes[code] = AuthCode(self.client.client_id, redirect_uri, user_id, scope, challenge,
                                    self.now() + self.code_ttl)
        return code

    def issue_access_token(self, user_id: str, client_id: str, scope: str) -> str:
        token = "BQ" + secrets.token_urlsafe(60)
        self.access_tokens[token] = AccessToken(user_id, client_id, scope,
                                                self.now() + float(self.token_ttl))
        return token

    def issue_refresh_token(self, user_id: str, client_id: str, scope: str,
                            authorized_at: float) -> str:
        token = "AQ" + secrets.token_urlsafe(80)
        self.refresh_tokens[token] = RefreshToken(user_id, client_id, scope, authorized_at)
        return token

    def revoke_user(self, user_id: str, *, access_tokens: bool = False) -> int:
        """The user removed the app's access: their refresh tokens (and optionally access
        tokens) stop working. Returns how many refresh tokens were revoked."""
        count = 0
        for token in self.refresh_tokens.values():
            if token.user_id == user_id and not token.revoked:
                token.revoked = True
                count += 1
        if access_tokens:
            for key in [k for k, t in self.access_tokens.items() if t.user_id == user_id]:
                del self.access_tokens[key]
        return count

    def tokens_for(self, user_id: str) -> list[str]:
        """Live (unexpired) access tokens of a user, newest last."""
        now = self.now()
        return [k for k, t in self.access_tokens.items()
                if t.user_id == user_id and t.expires_at > now]

    # -- Web API gatekeeping --------------------------------------------------------------------
    def take_rate_slot(self) -> int | None:
        """Count one request in the rolling window; return Retry-After seconds when over."""
        if self.rate_limit is None:
            return None
        now, window = self.now(), float(self.rate_window)
        while self.request_times and self.request_times[0] <= now - window:
            self.request_times.popleft()
        if len(self.request_times) >= int(self.rate_limit):
            return max(1, int(self.request_times[0] + window - now + 0.999))
        self.request_times.append(now)
        return None

    def take_failure(self) -> bool:
        if self.fail_all:
            return True
        if self.fail_next > 0:
            self.switches["fail_next"] -= 1
            return True
        return False


def _seed_user(catalog: Catalog, seed: int, user_id: str, name: str, product: str,
               genres: tuple[str, ...], saved_count: int) -> User:
    assert all(g in GENRES for g in genres)
    rng = random.Random(f"{seed}:{user_id}")
    liked = [t for t in catalog.tracks.values() if catalog.genre_of(t) in genres]
    others = [t for t in catalog.tracks.values() if catalog.genre_of(t) not in genres]
    user = User(user_id, name, f"{user_id}@example.com", "SE", product)
    for time_range in TIME_RANGES:
        picks = rng.sample(liked, 42) + rng.sample(others, 8)
        picks.sort(key=lambda t: -t.popularity * rng.uniform(0.6, 1.4))
        user.top[time_range] = [t.id for t in picks]
    start = datetime(2025, 11, 1, tzinfo=UTC).timestamp()
    for i, track in enumerate(rng.sample(liked, saved_count * 4 // 5)
                              + rng.sample(others, saved_count - saved_count * 4 // 5)):
        added = datetime.fromtimestamp(start - i * 86400 * rng.uniform(0.5, 3), UTC)
        user.saved.append((added.strftime("%Y-%m-%dT%H:%M:%SZ"), track.id))
    user.saved.sort(reverse=True)
    # two of their own (one longer than a page of /items) and one they only follow
    for title, size, owner, owner_name in (("Late night drive", 30, user_id, name),
                                           ("Everything I love", 130, user_id, name),
                                           ("Today's Top Hits", 50, "spotify", "Spotify")):
        pid = "".join(rng.choice(_BASE62) for _ in range(22))
        picks = [t.id for t in rng.sample(liked + others, size)]
        user.playlists.append(Playlist(pid, title, owner, owner_name, picks,
                                       public=owner == "spotify"))
    return user
