"""The server side of a user's Spotify connection.

Tokens live only in the store, AES-GCM encrypted; the browser gets short-lived access tokens
for the Web Playback SDK and never the refresh token. One refresh at a time per user on a node;
a refresh that loses a race with another node (rotated token) re-reads the store instead of
disconnecting the user.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from typing import Any

import httpx2
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from cryptography.exceptions import InvalidTag

from ..config import Settings
from ..crypto import TokenCipher
from ..store import Session, SpotifyLink, Store

log = logging.getLogger("encore.spotify")

SCOPES = (
    "user-read-private user-read-email user-top-read user-library-read streaming "
    "user-read-playback-state user-modify-playback-state playlist-read-private"
)
REFRESH_MARGIN_S = 60  # refresh an access token this long before it expires
MAX_RETRY_AFTER_S = 5.0  # longest we wait on a 429 inside one request
GATED_COOLDOWN_S = 24 * 3600  # don't ask an endpoint that answered 403 again for a day
OAUTH_STATE_TTL_S = 600


class SpotifyError(Exception):
    def __init__(self, status: int, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


class SpotifyNotConnected(SpotifyError):
    def __init__(self, message: str = "Spotify is not connected.") -> None:
        super().__init__(409, message)


class SpotifyUnavailableFeature(SpotifyError):
    """The app may not use this endpoint (403 for apps created after Nov 2024)."""


class SpotifyService:
    def __init__(self, settings: Settings, store: Store, cipher: TokenCipher) -> None:
        self.client_id = settings.spotify_client_id
        self.client_secret = settings.spotify_client_secret
        self.redirect_uri = settings.spotify_redirect_uri or ""
        self.accounts_url = settings.spotify_accounts_url
        self.api_url = settings.spotify_api_url
        self.store = store
        self.cipher = cipher
        self.http = httpx2.AsyncClient(timeout=httpx2.Timeout(10.0, connect=5.0))
        # one lock per user *while a refresh runs*: a lock nobody holds or waits for is gone
        self._refresh_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self._quiet_until = 0.0  # after a long Retry-After, Spotify is left alone until then

    @property
    def configured(self) -> bool:
        return bool(self.client_id)

    async def close(self) -> None:
        await self.http.aclose()

    def _oauth(self, redirect_uri: str) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.client_id,
            client_secret=self.client_secret or None,
            token_endpoint_auth_method="client_secret_basic" if self.client_secret else "none",
            code_challenge_method="S256",
            redirect_uri=redirect_uri,
            scope=SCOPES,
            timeout=10.0,
        )

    # --- connecting --------------------------------------------------------------------
    def begin_login(self, session: Session, redirect_uri: str) -> str:
        """The /authorize URL; the one-time state and PKCE verifier go into the session."""
        verifier = generate_token(64)
        state = generate_token(32)
        url, _ = self._oauth(redirect_uri).create_authorization_url(
            f"{self.accounts_url}/authorize", state=state, code_verifier=verifier
        )
        session.data["spotify_oauth"] = {
            "state": state,
            "verifier": verifier,
            "redirect_uri": redirect_uri,
            "expires_at": int(time.time()) + OAUTH_STATE_TTL_S,
        }
        return url

    async def complete_login(self, username: str, pending: dict[str, Any], code: str) -> None:
        """Exchange the code (state already checked and consumed), fetch /me, store tokens."""
        async with self._oauth(pending["redirect_uri"]) as client:
            try:
                token = await client.fetch_token(
                    f"{self.accounts_url}/api/token",
                    code=code,
                    code_verifier=pending["verifier"],
                    grant_type="authorization_code",
                )
            except OAuthError as error:
                raise SpotifyError(
                    400, f"Spotify refused the sign-in: {error.description or error.error}"
                ) from None
        access = token["access_token"]
        me = await self._request_with_token("GET", "/me", access)
        now = int(time.time())
        await self.store.put_spotify_link(
            SpotifyLink(
                username=username,
                access_token_enc=self.cipher.encrypt(access, username),
                refresh_token_enc=self.cipher.encrypt(token.get("refresh_token", ""), username),
                expires_at=now + int(token.get("expires_in", 3600)),
                scope=token.get("scope", ""),
                spotify_id=me.get("id", ""),
                display_name=me.get("display_name") or me.get("id", ""),
                product=me.get("product", ""),
                authorized_at=now,
            )
        )

    async def disconnect(self, username: str) -> None:
        await self.store.delete_spotify_link(username)

    async def status(self, username: str) -> dict[str, Any]:
        link = await self.store.get_spotify_link(username)
        if link is None:
            return {"connected": False, "configured": self.configured}
        if not link.refresh_token_enc:
            return {
                "connected": False,
                "configured": self.configured,
                "reconnect": True,
                "message": "Spotify access ended. Reconnect Spotify.",
            }
        return {
            "connected": True,
            "configured": self.configured,
            "product": link.product,
            "display_name": link.display_name,
        }

    # --- tokens --------------------------------------------------------------------------
    async def access_token(self, username: str, force_refresh: bool = False) -> tuple[str, int]:
        """A valid access token and its expiry (epoch s), refreshing when needed."""
        link = await self._link(username)
        if not force_refresh and link.expires_at - REFRESH_MARGIN_S > time.time():
            return self.cipher.decrypt(link.access_token_enc, username), link.expires_at
        lock = self._refresh_locks.get(username)
        if lock is None:
            lock = self._refresh_locks[username] = asyncio.Lock()
        async with lock:
            fresh = await self._link(username)  # another request may have refreshed meanwhile
            if fresh.access_token_enc != link.access_token_enc and (
                fresh.expires_at - REFRESH_MARGIN_S > time.time()
            ):
                return self.cipher.decrypt(fresh.access_token_enc, username), fresh.expires_at
            return await self._refresh(fresh)

    async def _link(self, username: str) -> SpotifyLink:
        link = await self.store.get_spotify_link(username)
        if link is None or not link.refresh_token_enc:
            raise SpotifyNotConnected()
        return link

    async def _refresh(self, link: SpotifyLink) -> tuple[str, int]:
        username = link.username
        try:
            refresh_token = self.cipher.decrypt(link.refresh_token_enc, username)
        except InvalidTag:
            await self._mark_reconnect(link)
            raise SpotifyNotConnected(
                "Stored Spotify tokens are unreadable. Reconnect Spotify."
            ) from None
        async with self._oauth(self.redirect_uri) as client:
            try:
                token = await client.refresh_token(
                    f"{self.accounts_url}/api/token", refresh_token=refresh_token
                )
            except OAuthError as error:
                if error.error != "invalid_grant":
                    raise SpotifyError(
                        502, f"Spotify token refresh failed: {error.error}"
                    ) from None
                latest = await self.store.get_spotify_link(username)
                if latest and latest.refresh_token_enc not in (b"", link.refresh_token_enc):
                    # Another node rotated the token first: its result is in the store.
                    return self.cipher.decrypt(latest.access_token_enc, username), latest.expires_at
                log.info("spotify refresh token rejected for %s: %s", username, error.description)
                await self._mark_reconnect(link)
                raise SpotifyNotConnected("Spotify access ended. Reconnect Spotify.") from None
            except httpx2.HTTPError as error:
                raise SpotifyError(
                    503, f"Spotify is unreachable: {error.__class__.__name__}"
                ) from None
        access = token["access_token"]
        link.access_token_enc = self.cipher.encrypt(access, username)
        if token.get("refresh_token") and token["refresh_token"] != refresh_token:
            link.refresh_token_enc = self.cipher.encrypt(token["refresh_token"], username)
        link.expires_at = int(time.time()) + int(token.get("expires_in", 3600))
        await self.store.put_spotify_link(link)
        return access, link.expires_at

    async def _mark_reconnect(self, link: SpotifyLink) -> None:
        """Delete the tokens but remember that the user had connected, to say "reconnect"."""
        link.access_token_enc = b""
        link.refresh_token_enc = b""
        link.expires_at = 0
        await self.store.put_spotify_link(link)

    # --- Web API -------------------------------------------------------------------------
    async def api(
        self,
        username: str,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        gated: str | None = None,
    ) -> Any:
        """Call the Web API as the user: 401 → one refresh and one retry; 429 → wait
        Retry-After (bounded) and retry; a 403 on a `gated` endpoint is remembered."""
        if gated:
            link = await self._link(username)
            if link.unavailable.get(gated, 0) > time.time():
                raise SpotifyUnavailableFeature(403, f"{gated} is not available to this app.")
        wait = self._quiet_until - time.time()
        if wait > 0:  # rate limits are per app: honour Retry-After for every user
            raise SpotifyError(429, "Spotify asked us to slow down.", retry_after=wait)
        token, _ = await self.access_token(username)
        refreshed = False
        for attempt in range(3):
            try:
                return await self._request_with_token(method, path, token, params=params, json=json)
            except SpotifyError as error:
                if error.status == 401 and not refreshed:
                    token, _ = await self.access_token(username, force_refresh=True)
                    refreshed = True
                    continue
                if error.status == 429 and error.retry_after is not None:
                    if error.retry_after <= MAX_RETRY_AFTER_S and attempt < 2:
                        await asyncio.sleep(error.retry_after)
                        continue
                    self._quiet_until = max(self._quiet_until, time.time() + error.retry_after)
                if error.status == 403 and gated:
                    await self._remember_unavailable(username, gated)
                    raise SpotifyUnavailableFeature(403, error.message) from None
                raise
        raise SpotifyError(502, "Spotify kept failing.")

    async def _remember_unavailable(self, username: str, gated: str) -> None:
        link = await self.store.get_spotify_link(username)
        if link is not None:
            link.unavailable[gated] = int(time.time()) + GATED_COOLDOWN_S
            await self.store.put_spotify_link(link)

    async def _request_with_token(
        self, method: str, path: str, token: str, *, params: Any = None, json: Any = None
    ) -> Any:
        try:
            response = await self.http.request(
                method,
                f"{self.api_url}{path}",
                params=params,
                json=json,
                headers={"Authorization": f"Bearer {token}"},
            )
        except httpx2.HTTPError as error:
            raise SpotifyError(503, f"Spotify is unreachable: {error.__class__.__name__}") from None
        if response.status_code == 204 or not response.content:
            if response.status_code < 400:
                return None
        if response.status_code >= 400:
            message = response.reason_phrase
            try:
                message = response.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                pass
            retry_after = None
            if response.status_code == 429:
                try:
                    retry_after = float(response.headers.get("Retry-After", "1"))
                except ValueError:
                    retry_after = 1.0
            raise SpotifyError(response.status_code, message, retry_after)
        return response.json()
