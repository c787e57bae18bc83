"""Public media of the built-in catalog: track audio (with HTTP Range) and album covers.

Nothing here is user data, so answers are cacheable by browsers and the service worker.
Range handling is our own: Quart's ``send_file(conditional=True)`` seeks to a negative offset
on suffix ranges (``bytes=-500``) and answers 416 where RFC 9110 says to ignore the header.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from quart import Blueprint, Response, request, send_file

from backend.app_types import app
from backend.catalog import MIME_TYPE, demo_cover_svg, demo_track, track_audio_path
from backend.errors import ApiError
from backend.inputs import whole_number
from backend.library.service import AudioUnavailable
from backend.subsonic.ids import is_subsonic_id

from . import signed_in, subsonic

bp = Blueprint("tracks", __name__)

MAX_AGE = 7 * 24 * 3600
_RANGE = re.compile(r"^\s*([0-9]*)\s*-\s*([0-9]*)\s*$", re.ASCII)
_BEYOND_ANY_FILE = 10**18  # what a position with more digits than that reads as


def _find_track(track_id: str) -> dict[str, Any] | None:
    """A playable track served by this node (the demo catalog; later a local folder)."""
    return demo_track(track_id)


def parse_byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The single byte range ``[start, end)`` a Range header asks of ``size`` bytes.

    None means "send the whole file": no header, another unit, several ranges, or a syntax
    error (RFC 9110 lets a server ignore those). An unsatisfiable range raises a 416 ApiError.
    """
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    match = _RANGE.match(spec)
    if not match or match.group(1) == match.group(2) == "":
        return None
    first, last = match.group(1), match.group(2)
    if first == "":  # suffix: the last N bytes
        length = whole_number(last, cap=_BEYOND_ANY_FILE)
        if length == 0 or size == 0:
            raise _unsatisfiable(size)
        return max(0, size - length), size
    start = whole_number(first, cap=_BEYOND_ANY_FILE)
    end = size if last == "" else whole_number(last, cap=_BEYOND_ANY_FILE) + 1
    if last != "" and end <= start:
        return None  # "500-100" is a syntax error, not an empty range
    if start >= size:
        raise _unsatisfiable(size)
    return start, min(end, size)


def _unsatisfiable(size: int) -> ApiError:
    return ApiError(416, "range_not_satisfiable",
                    f"The requested range is outside the file ({size} bytes).",
                    {"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"})


@bp.get("/api/tracks/<track_id>/audio")
async def track_audio(track_id: str) -> Response:
    if track_id.startswith("local-"):  # the listener's own library: signed-in users only
        await signed_in.user()
        try:
            path, mime = await app().library.audio(track_id)
        except AudioUnavailable as error:
            raise ApiError(404, "track_not_found", str(error)) from error
        return await send_audio(path, mime, public=False)
    if is_subsonic_id(track_id):
        return await subsonic.audio(track_id)
    track = _find_track(track_id)
    if track is None:
        raise ApiError(404, "track_not_found", "There is no playable track with that id.")
    path = await track_audio_path(app().settings.data_dir, track)
    return await send_audio(path, MIME_TYPE, public=True)


async def send_audio(path: Path, mime: str, public: bool) -> Response:
    """The file with validators and single-range support; `public` answers may be shared by
    caches, the others only kept by the listener's browser."""
    size = (await asyncio.to_thread(path.stat)).st_size
    response = await send_file(path, mimetype=mime, cache_timeout=MAX_AGE)
    response.headers["Accept-Ranges"] = "bytes"
    # (send_file's cache_timeout marks every answer public: a private one must drop that, or a
    # shared cache may keep a listener's own music and serve it past the sign-in check)
    response.cache_control.public = public  # (False: the directive is gone)
    if not public:
        response.cache_control.private = True
    response.cache_control.max_age = MAX_AGE

    # Validators first (RFC 9110 13.2.2): a matching If-None-Match is a 304 even with a Range.
    response = await response.make_conditional(request)
    if response.status_code != 200:
        return response
    if_range = request.headers.get("If-Range")
    ranged = request.headers.get("Range")
    if if_range and if_range not in (response.headers.get("ETag"),
                                     response.headers.get("Last-Modified")):
        ranged = None  # the client's copy is stale: send the whole new file
    byte_range = parse_byte_range(ranged, size)
    if byte_range is None:
        return response
    start, end = byte_range
    await response.response.make_conditional(start, end)  # type: ignore[attr-defined]  # a FileBody
    response.status_code = 206
    response.content_length = end - start
    response.headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    return response


@bp.get("/api/demo/covers/<album_id>.svg")
async def demo_cover(album_id: str) -> Response:
    svg = demo_cover_svg(album_id)
    if svg is None:
        raise ApiError(404, "album_not_found", "There is no demo album with that id.")
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}, immutable"
    return response
