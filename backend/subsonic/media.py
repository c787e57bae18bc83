"""Subsonic audio and cover art, through Encore's own origin.

Browsers cannot call another origin's Subsonic API, and the credentials must stay on the server,
so `GET /api/tracks/subsonic-…/audio` streams the server's `stream` answer through, passing the
listener's Range header on and the answer's status (200, 206, 416) and byte headers back. It
asks for `format=raw` (the file as it is, so ranges work) unless browsers cannot play the
format, which the server then transcodes to MP3. The answer is private to the listener but may
be kept: the service worker caches the next tracks for offline listening.

A server that cannot transcode what browsers cannot play (Supysonic without a transcoder:
"No way to transcode from aiff to mp3") is asked for the file as it is, which Encore's own
ffmpeg makes into Opus once (`library/transcode.py`), kept under the data dir by song.

Covers are fetched once per (server, cover, size) and kept on disk under the data dir
(bounded: the least recently used go first), then served with long cache headers.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx2
from quart import Response

from ..errors import ApiError
from ..library.transcode import TranscodeError, Transcoder
from .errors import SubsonicError
from .service import Connection

AUDIO_MAX_AGE = 24 * 3600
MAX_TRANSCODE_SOURCE = 2 * 1024**3  # the largest file Encore fetches to transcode itself
COVER_MAX_AGE = 7 * 24 * 3600
_PASSED_ON = ("Content-Type", "Content-Length", "Content-Range", "Accept-Ranges", "ETag",
              "Last-Modified")
_ONE_RANGE = re.compile(r"bytes=([0-9]{1,20})-([0-9]{0,20})|bytes=-([0-9]{1,20})")
_KINDS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}


async def stream_audio(connection: Connection, song_id: str, range_header: str | None,
                       target: str) -> Response:
    """The server's audio as Encore's answer; SubsonicError when the server fails. Only one
    byte range in plain digits is passed on (`_one_range`); an unsatisfiable one is Encore's
    JSON 416, not the server's page."""
    upstream = await connection.client.open_stream(
        song_id, _one_range(range_header) if target == "raw" else None, target)
    if upstream.status_code == 416:
        await upstream.aclose()
        kept = {n: upstream.headers[n] for n in ("Content-Range",) if n in upstream.headers}
        raise ApiError(416, "range_not_satisfiable", "The requested range is outside the file.",
                       {**kept, "Accept-Ranges": "bytes"})
    headers = {name: upstream.headers[name] for name in _PASSED_ON if name in upstream.headers}
    if target == "raw":
        headers.setdefault("Accept-Ranges", "bytes")
    else:
        headers.pop("Accept-Ranges", None)
    headers["Cache-Control"] = f"private, max-age={AUDIO_MAX_AGE}"

    async def body() -> AsyncIterator[bytes]:
        try:
            async for chunk in upstream.aiter_raw(64 * 1024):
                yield chunk
        except httpx2.HTTPError:
            return  # the server broke off: the browser sees a short body and retries a range
        finally:
            await upstream.aclose()

    response = Response(body(), status=upstream.status_code, headers=headers)
    if "Content-Length" in headers:
        response.content_length = int(headers["Content-Length"])
    return response


def _one_range(header: str | None) -> str | None:
    """The Range to ask the server for: one byte range in ASCII digits. Anything else (another
    unit, several ranges, "5-1", a character that is not ASCII, which the HTTP client cannot
    send) is left out and the whole file comes, as Encore's own audio answers such a header
    (blueprints/tracks.parse_byte_range; RFC 9110 lets a server ignore it)."""
    match = _ONE_RANGE.fullmatch((header or "").strip())
    if match is None or (match[1] and match[2] and int(match[2]) < int(match[1])):
        return None
    return match[0]


def _name(connection: Connection, song_id: str) -> str:
    return hashlib.sha256(f"{connection.key}/{song_id}".encode()).hexdigest()[:40]


def transcoded_copy(transcoder: Transcoder, connection: Connection, song_id: str) -> Path | None:
    """The song as Opus when Encore transcoded it before."""
    path = transcoder.folder / f"{_name(connection, song_id)}.opus"
    return path if path.exists() else None


async def transcode_here(transcoder: Transcoder, connection: Connection, song_id: str) -> Path:
    """The song as Opus made by Encore's ffmpeg from the file as it is on the server (for a
    server that cannot transcode); SubsonicError when it cannot be fetched or converted."""
    name = _name(connection, song_id)
    transcoder.folder.mkdir(parents=True, exist_ok=True)
    source = transcoder.folder / f"{name}.{uuid.uuid4().hex}.src"
    upstream = await connection.client.open_stream(song_id, None, "raw")
    try:
        total = 0
        with source.open("wb") as out:
            async for chunk in upstream.aiter_raw(256 * 1024):
                total += len(chunk)
                if total > MAX_TRANSCODE_SOURCE:
                    raise SubsonicError.down(connection.client.host,
                                             "sent a file too large to transcode")
                out.write(chunk)
        return await transcoder.playable(source, name)
    except httpx2.HTTPError:
        raise SubsonicError.down(connection.client.host, "broke off sending the file") from None
    except TranscodeError as error:
        raise SubsonicError.failed(0, f"Encore could not make it playable: {error}") from None
    finally:
        await upstream.aclose()
        source.unlink(missing_ok=True)


class CoverCache:
    """Cover images on disk: `<root>/<server key>/<sha256(cover id)>-<size>.<ext>`."""

    def __init__(self, root: Path, max_files: int = 5000) -> None:
        self.root = root
        self.max_files = max_files
        self._writes = 0

    def _stem(self, key: str, cover_id: str, size: int) -> Path:
        digest = hashlib.sha256(cover_id.encode()).hexdigest()[:40]
        return self.root / key / f"{digest}-{size}"

    def get(self, key: str, cover_id: str, size: int) -> tuple[bytes, str] | None:
        stem = self._stem(key, cover_id, size)
        for kind, ext in _KINDS.items():
            path = stem.with_suffix(f".{ext}")
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue
            os.utime(path)  # recently used: pruned last
            return data, kind
        return None

    def put(self, key: str, cover_id: str, size: int, data: bytes, kind: str) -> None:
        ext = _KINDS.get(kind)
        if ext is None:
            return
        path = self._stem(key, cover_id, size).with_suffix(f".{ext}")
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{ext}.{os.getpid()}.part")
        partial.write_bytes(data)
        partial.replace(path)  # readers never see half a file
        self._writes += 1
        if self._writes % 100 == 0:
            self.prune()

    def prune(self) -> int:
        """Delete the least recently used files beyond `max_files`; how many went."""
        files = sorted((p for p in self.root.glob("*/*") if p.is_file()),
                       key=lambda p: p.stat().st_mtime)
        extra = files[: max(0, len(files) - self.max_files)]
        for path in extra:
            path.unlink(missing_ok=True)
        return len(extra)

    async def fetch(self, connection: Connection, cover_id: str, size: int) -> tuple[bytes, str]:
        """From disk, else from the server (then kept); SubsonicError when it fails."""
        cached = self.get(connection.key, cover_id, size)
        if cached is not None:
            return cached
        data, kind = await connection.client.cover_art(cover_id, size)
        if kind not in _KINDS:
            raise SubsonicError.down(connection.client.host, f"sent a cover of type {kind}")
        self.put(connection.key, cover_id, size, data, kind)
        return data, kind


def cover_response(data: bytes, kind: str) -> Response:
    response = Response(data, content_type=kind)
    response.headers["Cache-Control"] = f"private, max-age={COVER_MAX_AGE}, immutable"
    response.headers["Last-Modified"] = time.strftime("%a, %d %b %Y %H:%M:%S GMT",
                                                      time.gmtime())
    return response
