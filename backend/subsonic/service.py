"""Who listens through which Subsonic server: the server-wide library and listeners' own accounts.

- Server-wide: `ENCORE_SUBSONIC_URL` with `_USER` + `_PASSWORD` or `_API_KEY`, shared by every
  listener of this Encore. Its sign-in is negotiated once in the background and again after a
  failure (at most every 30 s), so a server that is down at start-up is picked up later.
- Per listener: `connect()` checks the address against `ENCORE_SUBSONIC_ALLOWED_HOSTS` (the
  server-wide host is always allowed), signs in (`ping` after reading the extensions) and stores
  the link with the password or API key AES-GCM encrypted (`backend.crypto`, the username as
  associated data). Nothing reaches a host that is not allowed, and redirects are not followed.

A listener's connections are their own account first, then the server-wide one (when it is
another server). Ids carry the server (`ids.server_key`), so any node finds the connection that
can play a track.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from cachetools import LRUCache
from cryptography.exceptions import InvalidTag

from ..crypto import TokenCipher
from ..store import Store, SubsonicLink
from .auth import Credentials
from .client import Gate, ServerInfo, SubsonicClient, new_http_client
from .errors import SubsonicError
from .ids import server_key
from .urls import BadServerUrl, host_allowed, host_of, normalize_url

T = TypeVar("T")
RETRY_SHARED_S = 30.0  # after the server-wide server failed, try it again this much later
SHARED_WAIT_S = 3.0  # the most a request waits for the server-wide sign-in (it goes on after)
RECHECK_S = 24 * 3600  # re-read a listener's server (extensions, version) once a day
CONNECT_ATTEMPTS = 10  # per listener per minute: connect must not be a password oracle
GATES = 10_000  # (listener, server) pairs whose calls this node bounds (least recently used go)


@dataclass(frozen=True)
class SubsonicConfig:
    """What the service needs from the settings."""

    url: str | None = None
    user: str = ""
    password: str = field(default="", repr=False)
    api_key: str = field(default="", repr=False)
    allowed_hosts: tuple[str, ...] = ()
    timeout_s: float = 8.0


@dataclass
class Connection:
    key: str  # ids.server_key of the URL
    url: str
    scope: str  # "user" (the listener's own) | "server" (server-wide)
    client: SubsonicClient

    @property
    def info(self) -> ServerInfo:
        return self.client.info


class SubsonicService:
    def __init__(self, store: Store, cipher: TokenCipher, config: SubsonicConfig) -> None:
        self.store = store
        self.cipher = cipher
        self.config = config
        self.http = new_http_client()
        self._shared: Connection | None = None
        self._shared_error: SubsonicError | None = None
        self._shared_tried = 0.0
        self._signing_in: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()  # work that outlives a request
        # (username, server key) -> the gate all that listener's calls there pass through
        self._gates: LRUCache[tuple[str, str], Gate] = LRUCache(GATES)
        self.shared_url = normalize_url(config.url) if config.url else None
        if self.shared_url and not (config.api_key or (config.user and config.password)):
            raise ValueError("ENCORE_SUBSONIC_URL needs ENCORE_SUBSONIC_USER and "
                             "ENCORE_SUBSONIC_PASSWORD, or ENCORE_SUBSONIC_API_KEY")

    def spawn(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run `work` on its own (a request may stop waiting for it); ended at close()."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.http.aclose()

    def _client(self, url: str, credentials: Credentials, info: ServerInfo | None = None,
                gate: Gate | None = None) -> SubsonicClient:
        return SubsonicClient(self.http, url, credentials, info, self.config.timeout_s, gate)

    def _gate(self, username: str, key: str) -> Gate:
        """One listener's way into one server: a few calls and covers at once, however many
        searches and pages they have running."""
        gate = self._gates.get((username.lower(), key))
        if gate is None:
            gate = self._gates[(username.lower(), key)] = Gate()
        return gate

    # --- the server-wide library -----------------------------------------------------------
    async def shared(self) -> Connection | None:
        """The server-wide connection once signed in; None when there is none, it failed
        recently (`shared_error` says why), or signing in takes longer than SHARED_WAIT_S (it
        goes on in the background: a slow server never holds a feed for long)."""
        if self.shared_url is None or self._shared is not None:
            return self._shared
        if self._signing_in is None or self._signing_in.done():
            if self._shared_tried and time.monotonic() - self._shared_tried < RETRY_SHARED_S:
                return None
            self._shared_tried = time.monotonic()
            self._signing_in = self.spawn(self._sign_in_shared(self.shared_url))
        try:
            async with asyncio.timeout(SHARED_WAIT_S):
                await asyncio.shield(self._signing_in)
        except TimeoutError:
            return None
        return self._shared

    async def _sign_in_shared(self, url: str) -> None:
        config = self.config
        credentials = (Credentials(api_key=config.api_key) if config.api_key else
                       Credentials(config.user, password=config.password))
        client = self._client(url, credentials)
        try:
            await client.negotiate()
        except SubsonicError as error:
            self._shared_error = error
            return
        self._shared_error = None
        self._shared = Connection(server_key(url), url, "server", client)

    @property
    def shared_error(self) -> SubsonicError | None:
        return self._shared_error

    def shared_failed(self, error: SubsonicError) -> None:
        """A call to the server-wide server found it down: sign in again before the next use."""
        if error.unreachable or error.is_auth:
            self._shared, self._shared_error = None, error
            self._shared_tried = time.monotonic()

    # --- listeners' own accounts --------------------------------------------------------------
    def _owner(self, username: str) -> str:
        return f"{username.lower()}#subsonic"

    def _own(self, username: str, link: SubsonicLink | None) -> Connection | None:
        """The listener's own account, from their link."""
        if link is None:
            return None
        try:
            secret = json.loads(self.cipher.decrypt(link.secret_enc, self._owner(username)))
        except (InvalidTag, ValueError):
            return None  # a changed ENCORE_TOKEN_KEY: the listener connects again
        credentials = Credentials(link.server_user, password=secret.get("password", ""),
                                  api_key=secret.get("api_key", ""))
        key = server_key(link.url)
        client = self._client(link.url, credentials, ServerInfo.from_dict(link.server),
                              self._gate(username, key))
        return Connection(key, link.url, "user", client)

    async def connections(self, username: str) -> list[Connection]:
        """The listener's own account first, then the server-wide one (if another server)."""
        return await self.connections_with(username, await self.store.get_subsonic_link(username))

    async def connections_with(self, username: str,
                               link: SubsonicLink | None) -> list[Connection]:
        """`connections()` from the listener's link, read already."""
        shared = await self.shared()
        if shared is not None:  # the server-wide client, calling through this listener's gate
            shared = Connection(shared.key, shared.url, shared.scope,
                                shared.client.gated(self._gate(username, shared.key)))
        found = [c for c in (self._own(username, link), shared) if c is not None]
        return [c for i, c in enumerate(found) if c.key not in {f.key for f in found[:i]}]

    async def connection_for(self, username: str, key: str) -> Connection | None:
        """The connection that can reach server `key` for this listener."""
        return next((c for c in await self.connections(username) if c.key == key), None)

    def server_keys(self, link: SubsonicLink | None) -> set[str]:
        """The servers a listener with this link reaches (no network: the settings)."""
        return {server_key(url) for url in (link.url if link else None, self.shared_url) if url}

    async def reachable(self, username: str) -> bool:
        """Whether the listener has a Subsonic server at all (no network: the store and the
        settings), so the feed asks it for candidates."""
        return bool(self.shared_url) or await self.store.get_subsonic_link(username) is not None

    async def connect(self, username: str, url: str, server_user: str, password: str,
                      api_key: str) -> dict[str, Any]:
        """Check, sign in, store. Raises BadServerUrl, PermissionError (host not allowed),
        SubsonicError (the server's answer) or OverflowError (too many attempts)."""
        normalized = normalize_url(url)
        always = (host_of(self.shared_url),) if self.shared_url else ()
        if not host_allowed(normalized, list(self.config.allowed_hosts), always):
            # Words for the listener (the setting's name, ENCORE_SUBSONIC_ALLOWED_HOSTS, is in
            # the README for whoever runs Encore, not on a listener's settings page).
            raise PermissionError(
                f"This Encore may not connect to {host_of(normalized)}: whoever runs it chooses "
                "the Subsonic servers it may reach, and this one is not among them."
                if self.config.allowed_hosts or always else
                "This Encore does not connect to listeners' own Subsonic servers: whoever runs "
                "it has not allowed any.")
        # every attempt counts, successful or not (the store's counters: all nodes share them)
        wait = await self.store.take_attempt(f"subsonic:{username.lower()}", CONNECT_ATTEMPTS,
                                             60, time.time())
        if wait:
            raise OverflowError(math.ceil(wait))
        credentials = (Credentials(api_key=api_key) if api_key else
                       Credentials(server_user, password=password))
        client = self._client(normalized, credentials)
        info = await client.negotiate()
        secret = {"api_key": api_key} if api_key else {"password": password}
        now = int(time.time())
        await self.store.put_subsonic_link(SubsonicLink(
            username=username.lower(), url=normalized,
            server_user="" if api_key else server_user,
            secret_enc=self.cipher.encrypt(json.dumps(secret), self._owner(username)),
            server=info.to_dict(), connected_at=now, checked_at=now))
        return await self.status(username)

    async def disconnect(self, username: str) -> bool:
        return await self.store.delete_subsonic_link(username)

    async def refresh(self, connection: Connection, username: str) -> None:
        """Re-read a listener's server (its extensions may have changed) once a day."""
        if connection.scope != "user":
            return
        link = await self.store.get_subsonic_link(username)
        if link is None or time.time() - link.checked_at < RECHECK_S:
            return
        try:
            info = await connection.client.negotiate()
        except SubsonicError:
            return
        link.server, link.checked_at = info.to_dict(), int(time.time())
        await self.store.put_subsonic_link(link)

    # --- what /api/me says ---------------------------------------------------------------------
    async def status(self, username: str) -> dict[str, Any]:
        """No network: what the store and the last sign-in say."""
        link = await self.store.get_subsonic_link(username)
        shared = self._shared
        own = None
        if link is not None:
            own = {"url": link.url, "username": link.server_user,
                   "auth": "api_key" if not link.server_user else "password",
                   "server": ServerInfo.from_dict(link.server).public()}
        server_wide = None
        if self.shared_url:
            server_wide = {"url": self.shared_url,
                           "server": shared.info.public() if shared else None,
                           "error": self._shared_error.message if self._shared_error else None}
        primary = own or server_wide
        return {
            "connected": bool(own or (server_wide and shared)),
            "scope": "user" if own else ("server" if server_wide else None),
            "server": primary["server"] if primary else None,
            "own": own,
            "shared": server_wide,
            "can_connect": bool(self.config.allowed_hosts or self.shared_url),
        }


def subsonic_service(settings: Any, store: Store, cipher: TokenCipher) -> SubsonicService:
    """The service from the typed settings; a half-configured server-wide library stops the
    start with one line (ConfigError), like any other bad setting."""
    from ..config import ConfigError

    config = SubsonicConfig(
        url=settings.subsonic_url, user=settings.subsonic_user,
        password=settings.subsonic_password, api_key=settings.subsonic_api_key,
        allowed_hosts=tuple(settings.subsonic_allowed_hosts),
        timeout_s=settings.subsonic_timeout_s)
    try:
        return SubsonicService(store, cipher, config)
    except (ValueError, BadServerUrl) as error:
        raise ConfigError(f"bad configuration: {error}") from None


__all__ = ["BadServerUrl", "Connection", "SubsonicConfig", "SubsonicService", "subsonic_service"]
