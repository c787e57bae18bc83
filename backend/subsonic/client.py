"""A Subsonic/OpenSubsonic API client for one account on one server.

Every call is `GET <url>/rest/<method>?v=&c=encore&f=json&<auth>&<params>` and answers a
`subsonic-response` object; `status: failed` becomes a `SubsonicError` carrying the code. Where
the server offers OpenSubsonic's `formPost`, the same fields go as a form POST body instead, so
the sign-in never appears in a URL (the server's access log, a proxy's); a server that
advertises it yet answers 405 gets GETs from then on. Audio (`stream`, with the listener's
Range header) and covers are POSTs too there. HTTP defines ranges for GET only (RFC 9110
14.2), so a server may take the POST and ignore its Range (Werkzeug-based servers do; Go's
`http.ServeContent`, Navidrome's, honours it): a range answered whole is asked again by GET,
and that server's ranges go by GET from then on. Without `formPost`, GET is the only way.
`negotiate()` does what a careful client does on first contact: it reads
`getOpenSubsonicExtensions` (public, and absent on plain Subsonic servers), learns the server's
API version from any answer, then signs in with the best mechanism the server accepts — an API
key if that is what the listener gave, else a salted token (API 1.13+), else the hex-encoded
password — and remembers what worked in `ServerInfo`.

Redirects are never followed (see urls.py), credentials never appear in an error message, and
every request has a timeout, so a slow or dead server costs a bounded wait. A client's API calls
and cover fetches pass through its `gate`, which the service shares among one listener's
clients of one server (service.py): at most CALLS_IN_FLIGHT of their calls and COVERS_IN_FLIGHT
of their cover fetches are at that server at once. Audio is not gated: a stream lasts as long
as the listener plays it.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import re
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlencode

import httpx2

from .auth import Credentials, auth_params, modes_to_try, version_tuple
from .errors import SubsonicError
from .urls import host_of

CLIENT_NAME = "encore"
API_VERSION = "1.16.1"  # the Subsonic protocol version Encore's client speaks
MAX_COVER_BYTES = 10 * 1024 * 1024
# A listener's API calls at one server at once: a search asks up to ~30, a page of them
# (typing fast, a script) many more, and the server is the listener's own.
CALLS_IN_FLIGHT = 4
# ... and cover fetches, in a lane of their own: a page of hits asks a cover each, and a search
# or a feed asked meanwhile must not wait behind them (it gives up after a few seconds).
COVERS_IN_FLIGHT = 2


@dataclass(frozen=True)
class Gate:
    """One listener's way into one server: their API calls and their cover fetches there, each
    bounded (CALLS_IN_FLIGHT, COVERS_IN_FLIGHT), in two lanes."""

    calls: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(CALLS_IN_FLIGHT))
    covers: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(COVERS_IN_FLIGHT))


# Errors that mean "not this way of signing in" rather than "wrong secret": try the next way.
# 10: the server does not know `t`/`s` (Supysonic); 41/42: tokens refused; 40: some servers
# (hashed password storage) cannot check a token and say "wrong password".
_NEXT_MODE = frozenset({10, 40, 41, 42})


@dataclass
class ServerInfo:
    """What a server said about itself, and how Encore signs in there."""

    api_version: str = ""
    type: str = ""  # navidrome, gonic, ... ("" when a plain Subsonic server does not say)
    server_version: str = ""
    open_subsonic: bool = False
    extensions: dict[str, list[int]] = field(default_factory=dict)
    auth: str = ""  # apikey | token | password

    def offers(self, extension: str) -> bool:
        return extension in self.extensions

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServerInfo:
        return cls(
            api_version=str(data.get("api_version", "")),
            type=str(data.get("type", "")),
            server_version=str(data.get("server_version", "")),
            open_subsonic=bool(data.get("open_subsonic")),
            extensions={str(k): list(v) for k, v in (data.get("extensions") or {}).items()},
            auth=str(data.get("auth", "")),
        )

    def public(self) -> dict[str, Any]:
        """For /api/me: what the server is, never how Encore signs in."""
        return {
            "type": self.type or "subsonic",
            "version": self.server_version or self.api_version,
            "api_version": self.api_version,
            "open_subsonic": self.open_subsonic,
            "extensions": sorted(self.extensions),
        }


_SIGN_IN = re.compile(r"([?&](?:u|p|t|s|apiKey)=)[^&\s\"']*")


class _RedactSignIn(logging.Filter):
    """httpx2 logs every request's URL at INFO; a Subsonic URL carries the sign-in."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_SIGN_IN.sub(r"\1…", str(a)) if "/rest/" in str(a) else a
                                for a in record.args)
        return True


_REDACT = _RedactSignIn()


def new_http_client() -> httpx2.AsyncClient:
    """One pool for every Subsonic server; redirects are errors, never followed; the sign-in
    parameters never reach a log line."""
    logger = logging.getLogger("httpx2")
    if _REDACT not in logger.filters:
        logger.addFilter(_REDACT)
    return httpx2.AsyncClient(
        follow_redirects=False,
        timeout=httpx2.Timeout(10.0, connect=5.0),
        limits=httpx2.Limits(max_connections=50, max_keepalive_connections=10),
        headers={"User-Agent": f"{CLIENT_NAME}/1 (Subsonic client)"},
    )


class SubsonicClient:
    # servers (by URL) that took a POST's Range for the whole file: their ranges go by GET
    _ranges_by_get: ClassVar[set[str]] = set()

    def __init__(
        self,
        http: httpx2.AsyncClient,
        url: str,
        credentials: Credentials,
        info: ServerInfo | None = None,
        timeout_s: float = 8.0,
        gate: Gate | None = None,
    ) -> None:
        self.http = http
        self.gate = gate or Gate()
        self.url = url  # normalized (urls.normalize_url)
        self.host = host_of(url)
        self.credentials = credentials
        self.info = info or ServerInfo()
        self.timeout = httpx2.Timeout(timeout_s, connect=min(timeout_s, 5.0))

    def gated(self, gate: Gate) -> SubsonicClient:
        """This client (its server, sign-in and what it learned of the server) calling through
        `gate`: the server-wide client as one listener's."""
        mine = copy.copy(self)
        mine.gate = gate
        return mine

    # --- requests ------------------------------------------------------------------------
    def _version(self) -> str:
        known = self.info.api_version
        if known and version_tuple(known) < version_tuple(API_VERSION):
            return known  # never claim a newer protocol than the server speaks (error 30)
        return API_VERSION

    def params(self, params: dict[str, Any] | None = None, mode: str | None = None,
               signed: bool = True) -> list[tuple[str, str | int | float | bool | None]]:
        """The query string of a call: protocol fields, the auth fields, then the call's own.
        A list value repeats its parameter (`id=1&id=2`), as the API expects."""
        query: list[tuple[str, str | int | float | bool | None]] = [
            ("v", self._version()), ("c", CLIENT_NAME), ("f", "json")]
        if signed:
            query += list(auth_params(self.credentials, mode or self.info.auth or "token").items())
        for name, value in (params or {}).items():
            if value is None:
                continue
            for item in value if isinstance(value, list | tuple) else [value]:
                query.append((name, _text(item)))
        return query

    async def call(self, method: str, params: dict[str, Any] | None = None, *,
                   mode: str | None = None, signed: bool = True) -> dict[str, Any]:
        """The `subsonic-response` object of a successful call."""
        async with self.gate.calls:
            return await self._call(method, params, mode, signed)

    async def _call(self, method: str, params: dict[str, Any] | None, mode: str | None,
                    signed: bool) -> dict[str, Any]:
        url = f"{self.url}/rest/{method}"
        try:
            if self.info.offers("formPost"):
                response = await self.http.post(
                    url, content=urlencode(self.params(params, mode, signed)).encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                    timeout=self.timeout)
                if response.status_code != 405:
                    return self._decode(response)
                self.info.extensions.pop("formPost", None)  # advertised, yet refused
            response = await self.http.get(
                url, params=self.params(params, mode, signed), timeout=self.timeout)
        except httpx2.TimeoutException:
            raise SubsonicError.down(self.host, "did not answer in time") from None
        except httpx2.HTTPError as error:
            raise SubsonicError.down(self.host, f"cannot be reached ({_why(error)})") from None
        return self._decode(response)

    def _decode(self, response: httpx2.Response) -> dict[str, Any]:
        if response.is_redirect:
            raise SubsonicError.down(
                self.host, "answered with a redirect, which Encore does not follow; "
                "give the address it redirects to")
        body: Any = None
        try:
            body = response.json()
        except ValueError:
            pass
        inner = body.get("subsonic-response") if isinstance(body, dict) else None
        if not isinstance(inner, dict):
            if response.status_code >= 400:
                raise SubsonicError.down(self.host, f"answered HTTP {response.status_code}")
            raise SubsonicError.down(
                self.host, "did not answer like a Subsonic server (no JSON subsonic-response)")
        version = inner.get("version")
        if isinstance(version, str) and version and version != self.info.api_version:
            self.info.api_version = version
        if inner.get("status") != "ok":
            raw = inner.get("error")
            error: dict[str, Any] = raw if isinstance(raw, dict) else {}
            code = error.get("code")
            raise SubsonicError.failed(
                code if isinstance(code, int) else 0,
                str(error.get("message") or ""),
                str(error.get("helpUrl") or ""),
            )
        return inner

    # --- first contact -------------------------------------------------------------------
    async def negotiate(self) -> ServerInfo:
        """Learn the server and the sign-in that works; raises the last SubsonicError."""
        info = self.info
        info.extensions, info.open_subsonic = {}, False
        try:
            answer = await self.call("getOpenSubsonicExtensions", signed=False)
            info.open_subsonic = bool(answer.get("openSubsonic"))
            info.extensions = _extensions(answer.get("openSubsonicExtensions"))
            _describe_server(info, answer)
        except SubsonicError as error:
            if error.unreachable and "answered HTTP 404" not in error.message:
                raise  # down, slow or not Subsonic: no point trying to sign in
            # a plain Subsonic server: no extensions (Supysonic answers 404, code 0)
        last: SubsonicError | None = None
        for mode in modes_to_try(self.credentials, info.api_version or API_VERSION):
            try:
                answer = await self.call("ping", mode=mode)
            except SubsonicError as error:
                last = error
                if error.code in _NEXT_MODE:
                    continue
                raise
            info.auth = mode
            _describe_server(info, answer)
            return info
        assert last is not None
        if last.code == 10:  # every mechanism was refused as "missing parameter"
            raise SubsonicError.failed(
                40, "the server accepted none of Encore's ways of signing in") from None
        raise last

    # --- the calls Encore makes ----------------------------------------------------------
    async def ping(self) -> None:
        await self.call("ping")

    async def random_songs(self, size: int, genre: str | None = None) -> list[dict[str, Any]]:
        answer = await self.call("getRandomSongs", {"size": size, "genre": genre})
        return _songs(answer.get("randomSongs"))

    async def songs_by_genre(self, genre: str, count: int, offset: int = 0
                             ) -> list[dict[str, Any]]:
        answer = await self.call("getSongsByGenre",
                                 {"genre": genre, "count": count, "offset": offset})
        return _songs(answer.get("songsByGenre"))

    async def genres(self) -> list[dict[str, Any]]:
        answer = await self.call("getGenres")
        return _list((answer.get("genres") or {}).get("genre"))

    async def album_list(self, kind: str, size: int) -> list[dict[str, Any]]:
        answer = await self.call("getAlbumList2", {"type": kind, "size": size})
        return _list((answer.get("albumList2") or {}).get("album"))

    async def album_songs(self, album_id: str) -> list[dict[str, Any]]:
        answer = await self.call("getAlbum", {"id": album_id})
        return _songs(answer.get("album"))

    async def search(self, query: str, count: int) -> dict[str, list[dict[str, Any]]]:
        """`search3`: the server's artists, albums and songs matching `query` (ID3 tags)."""
        answer = await self.call("search3", {"query": query, "artistCount": count,
                                             "albumCount": count, "songCount": count})
        found = answer.get("searchResult3") or {}
        return {"artists": _list(found.get("artist")), "albums": _list(found.get("album")),
                "songs": _songs(found)}

    async def artist_albums(self, artist_id: str) -> dict[str, Any]:
        """`getArtist`: the artist (`name`) with its albums (`album`: a list)."""
        answer = await self.call("getArtist", {"id": artist_id})
        found = answer.get("artist")
        if not isinstance(found, dict):
            raise SubsonicError.failed(70, "no artist in the answer")
        return {**found, "album": _list(found.get("album"))}

    async def song(self, song_id: str) -> dict[str, Any]:
        answer = await self.call("getSong", {"id": song_id})
        song = answer.get("song")
        if not isinstance(song, dict):
            raise SubsonicError.failed(70, "no song in the answer")
        return song

    async def playlists(self) -> list[dict[str, Any]]:
        """The playlists the signed-in user may play (`getPlaylists`)."""
        answer = await self.call("getPlaylists")
        return _list((answer.get("playlists") or {}).get("playlist"))

    async def playlist(self, playlist_id: str) -> dict[str, Any]:
        """One playlist with its songs in order (`getPlaylist`: `entry`)."""
        answer = await self.call("getPlaylist", {"id": playlist_id})
        found = answer.get("playlist")
        if not isinstance(found, dict):
            raise SubsonicError.failed(70, "no playlist in the answer")
        return found

    async def similar_songs(self, artist_id: str, count: int) -> list[dict[str, Any]]:
        answer = await self.call("getSimilarSongs2", {"id": artist_id, "count": count})
        return _songs(answer.get("similarSongs2"))

    async def top_songs(self, artist: str, count: int) -> list[dict[str, Any]]:
        answer = await self.call("getTopSongs", {"artist": artist, "count": count})
        return _songs(answer.get("topSongs"))

    async def sonic_similar(self, song_id: str, count: int) -> list[dict[str, Any]]:
        answer = await self.call("getSonicSimilarTracks", {"id": song_id, "count": count})
        matches = _list(answer.get("sonicMatch"))  # a top-level array (reference, v1)
        return [m["entry"] for m in matches if isinstance(m.get("entry"), dict)]

    async def scrobble(self, song_id: str, at_ms: int, submission: bool = True) -> None:
        await self.call("scrobble",
                        {"id": song_id, "time": at_ms, "submission": submission})

    async def star(self, song_id: str) -> None:
        await self.call("star", {"id": song_id})

    async def unstar(self, song_id: str) -> None:
        await self.call("unstar", {"id": song_id})

    async def report_playback(self, song_id: str, state: str, position_ms: int,
                              ignore_scrobble: bool = True) -> None:
        await self.call("reportPlayback", {
            "mediaId": song_id, "mediaType": "song", "positionMs": position_ms,
            "state": state, "ignoreScrobble": ignore_scrobble})

    # --- media ---------------------------------------------------------------------------
    async def open_stream(self, song_id: str, range_header: str | None = None,
                          target_format: str = "raw") -> httpx2.Response:
        """The server's audio answer, streaming: the caller must `aclose()` it. `raw` asks for
        the file as it is, so Range requests work; a failure is a SubsonicError."""
        fields = self.params({"id": song_id, "format": target_format})
        headers = {"Range": range_header} if range_header else {}
        timeout = httpx2.Timeout(self.timeout.read or 8.0, connect=self.timeout.connect,
                                 read=30.0)
        post = not (range_header and self.url in SubsonicClient._ranges_by_get)
        response = await self._send_media("stream", fields, headers, timeout, post)
        if range_header and response.status_code == 200 and response.request.method == "POST":
            await response.aclose()  # the server ignored the POST's Range: ask by GET
            SubsonicClient._ranges_by_get.add(self.url)
            response = await self._send_media("stream", fields, headers, timeout, post=False)
        if response.status_code in (200, 206, 416) and not _is_api_answer(response):
            return response
        try:
            await response.aread()
        finally:
            await response.aclose()
        self._decode(response)  # raises the server's error
        raise SubsonicError.down(self.host, f"answered HTTP {response.status_code} for audio")

    async def cover_art(self, cover_id: str, size: int) -> tuple[bytes, str]:
        """The image's bytes and content type (at most MAX_COVER_BYTES), through the gate's
        cover lane: a page of hits asks a cover each, all at once."""
        async with self.gate.covers:
            return await self._cover_art(cover_id, size)

    async def _cover_art(self, cover_id: str, size: int) -> tuple[bytes, str]:
        response = await self._send_media(
            "getCoverArt", self.params({"id": cover_id, "size": size}), {}, self.timeout)
        try:
            if response.status_code != 200 or _is_api_answer(response):
                await response.aread()
                self._decode(response)
                raise SubsonicError.down(self.host, f"answered HTTP {response.status_code}")
            kind = response.headers.get("Content-Type", "").split(";")[0].strip()
            if not kind.startswith("image/"):
                raise SubsonicError.down(self.host, "answered a cover that is not an image")
            chunks, total = [], 0
            async for chunk in response.aiter_bytes():
                total += len(chunk)
                if total > MAX_COVER_BYTES:
                    raise SubsonicError.down(self.host, "sent a cover image that is too large")
                chunks.append(chunk)
            return b"".join(chunks), kind
        except httpx2.TimeoutException:
            raise SubsonicError.down(self.host, "did not answer in time") from None
        except httpx2.HTTPError as error:
            raise SubsonicError.down(self.host, f"broke off ({_why(error)})") from None
        finally:
            await response.aclose()

    async def _send_media(self, method: str, fields: list[tuple[str, Any]],
                          headers: dict[str, str], limits: httpx2.Timeout,
                          post: bool = True) -> httpx2.Response:
        """A streaming media request: a form POST where the server offers `formPost` (a 405
        turns it off, as for API calls), else a GET with the fields in the URL."""
        url = f"{self.url}/rest/{method}"
        if post and self.info.offers("formPost"):
            response = await self._send_streaming(self.http.build_request(
                "POST", url, content=urlencode(fields).encode(), timeout=limits,
                headers=headers | {"Content-Type": "application/x-www-form-urlencoded"}))
            if response.status_code != 405:
                return response
            await response.aclose()
            self.info.extensions.pop("formPost", None)  # advertised, yet refused
        return await self._send_streaming(self.http.build_request(
            "GET", url, params=fields, headers=headers or None, timeout=limits))

    async def _send_streaming(self, request: httpx2.Request) -> httpx2.Response:
        try:
            return await self.http.send(request, stream=True)
        except httpx2.TimeoutException:
            raise SubsonicError.down(self.host, "did not answer in time") from None
        except httpx2.HTTPError as error:
            raise SubsonicError.down(self.host, f"cannot be reached ({_why(error)})") from None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _why(error: Exception) -> str:
    """The kind of failure, never its text (which can hold the URL and its credentials)."""
    return {"ConnectError": "connection refused or no route",
            "ConnectTimeout": "connection timed out",
            "RemoteProtocolError": "the connection broke",
            "ReadError": "the connection broke"}.get(type(error).__name__, type(error).__name__)


def _is_api_answer(response: httpx2.Response) -> bool:
    kind = response.headers.get("Content-Type", "").lower()
    return "json" in kind or "xml" in kind


def _describe_server(info: ServerInfo, answer: dict[str, Any]) -> None:
    info.type = str(answer.get("type") or info.type)
    info.server_version = str(answer.get("serverVersion") or info.server_version)
    info.open_subsonic = bool(answer.get("openSubsonic")) or info.open_subsonic


def _extensions(raw: Any) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for item in _list(raw):
        name = item.get("name")
        if isinstance(name, str) and name:
            found[name] = [v for v in _list_any(item.get("versions")) if isinstance(v, int)]
    return found


def _list(raw: Any) -> list[dict[str, Any]]:
    """Subsonic's JSON turns a one-item list into the item itself; accept both."""
    return [item for item in _list_any(raw) if isinstance(item, dict)]


def _list_any(raw: Any) -> list[Any]:
    if raw is None:
        return []
    return raw if isinstance(raw, list) else [raw]


def _songs(container: Any) -> list[dict[str, Any]]:
    if not isinstance(container, dict):
        return []
    return [song for song in _list(container.get("song")) if not song.get("isVideo")]
