"""The PWA's files: ENCORE_WEB_ROOT, else the built bundle in pwa/dist, else the sources in pwa/.

`index.html`, the manifest and the service worker must be revalidated on every load so an
update is seen; content-hashed assets never change and are cached for a year; the icons
(named in the manifest, so not hashed) for a day.

The files a first visit waits on (the page, its script and style, the icons, the manifest) are
answered from memory: read once per version of the file (its size and modification time), sent
in one piece. Quart's file answer reads a file through a thread pool, one hop per 8 KB, so the
page's 120 KB script cost the server 10-11 ms of CPU per request (4 ms from memory, before
its compression), on the process the first feed is ranked on. Their compressed forms are held
too, made once per version and coding (the compression middleware made them again for every
request: ~3 ms of CPU for the script); a compressed answer has an ETag of its own (another
representation), a range is answered from the plain bytes. Larger files (Pyodide's 9.6 MB
wasm, fetched once per device by the service worker) are streamed from disk as before.
"""

from __future__ import annotations

import asyncio
import mimetypes
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from zlib import adler32

from quart import Blueprint, Response, request, send_from_directory

from ..app_types import app
from ..compression import MINIMUM_SIZE, compress, preferred
from ..errors import ApiError

bp = Blueprint("static_app", __name__)

PWA_ROOT = Path(__file__).resolve().parents[2] / "pwa"
_HASHED = re.compile(r"[.-][0-9a-zA-Z_-]{8,}\.(js|css|mjs|wasm|svg|png|woff2|zip)$")
ICON_MAX_AGE = 86_400
ASSET_FOLDERS = "assets, icons, vendor, pkg"  # the only folders the bundle has
# The page's routes with an id (pwa/src/page/library.js): a link or a reload opens the app there
# even before a service worker controls the page (a new device, a shared link).
APP_VIEWS = ("playlist", "artist", "album")
HELD_MAX_BYTES = 4 * 1024 * 1024  # files answered from memory (Pyodide's wasm streams from disk)
HELD_MAX_FILES = 256  # a web root holds a few dozen; a bound all the same
# the page's text files, which the compression middleware would compress (not the icons)
COMPRESSIBLE = ("text/html", "text/css", "text/javascript", "application/javascript",
                "application/json", "application/manifest+json", "image/svg+xml")


@dataclass
class _Held:
    """One version of a file (its size and modification time in ns), and its compressed
    forms as they are asked for."""

    size: int
    mtime_ns: int
    data: bytes
    encoded: dict[str, bytes] = field(default_factory=dict)  # coding -> compressed data


_held: dict[Path, _Held] = {}  # absolute path -> the version last read


def web_root() -> Path:
    """ENCORE_WEB_ROOT when set, else pwa/dist once built, else the sources in pwa/."""
    configured = app().settings.web_root
    if configured is not None:
        return configured
    built = PWA_ROOT / "dist"
    return built if (built / "index.html").exists() else PWA_ROOT


async def _serve(relative: str) -> Response:
    root = web_root()
    if "\x00" in relative:
        raise ApiError(404, "not_found", "Nothing here.")
    try:
        target = (root / relative).resolve()
        # one stat of a local file (microseconds), which also says whether it changed
        stat = os.stat(target) if target.is_relative_to(root) else None
    except OSError:  # no such file, a name too long for the file system, and the like
        stat = None
    if stat is None or not S_ISREG(stat.st_mode):
        raise ApiError(404, "not_found", "Nothing here.")
    response = await _from_memory(target, stat) or await send_from_directory(root, relative)
    if _HASHED.search(relative) or relative.startswith("vendor/"):
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    elif relative.startswith("icons/"):
        # one fetch for the page's several uses (the brand, the tab, the manifest's), not a
        # revalidation each; a new icon shows within the day (the service worker's at once)
        response.headers["Cache-Control"] = f"public, max-age={ICON_MAX_AGE}"
    else:
        response.headers["Cache-Control"] = "no-cache"
    if relative.endswith(".webmanifest"):
        response.mimetype = "application/manifest+json"
    if relative.endswith((".js", ".mjs")):
        response.headers["Service-Worker-Allowed"] = "/"
    return response


async def _from_memory(target: Path, stat: os.stat_result) -> Response | None:
    """`target`'s answer from the bytes held for its current version (`stat`; read now when it
    changed or was never read), compressed as the request accepts (a range: plain), with the
    ETag, Last-Modified and conditional and range handling of Quart's own file answer; None
    for a file too large to hold."""
    if stat.st_size > HELD_MAX_BYTES:
        return None
    held = _held.get(target)
    if held is None or (held.size, held.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
        if len(_held) >= HELD_MAX_FILES:
            _held.clear()
        held = _held[target] = _Held(stat.st_size, stat.st_mtime_ns,
                                     await asyncio.to_thread(target.read_bytes))
    mimetype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    compressible = mimetype in COMPRESSIBLE and len(held.data) >= MINIMUM_SIZE
    coding = (preferred(request.accept_encodings)
              if compressible and "Range" not in request.headers else None)
    body = held.data
    if coding is not None:
        body = held.encoded.get(coding) or held.encoded.setdefault(
            coding, compress(held.data, coding))
    response = app().response_class(body, mimetype=mimetype)  # its conditional handling
    response.last_modified = stat.st_mtime  # type: ignore[assignment]
    response.cache_control.public = True
    etag = f"{stat.st_mtime}-{len(held.data)}-{adler32(bytes(target))}"  # Quart's form
    if coding is not None:
        response.content_encoding = coding  # the middleware passes an encoded answer on
        etag += f"-{coding}"
    if compressible:
        response.vary.add("Accept-Encoding")
    response.set_etag(etag)
    await response.make_conditional(request, accept_ranges=True, complete_length=len(body))
    return response


async def _app_page() -> Response:
    """The app's page, whatever its route. A signed-in visit's first requests are asked for by
    its head's first script (pwa/src/page/preload.js), not by a Link header here: the page must
    know what was asked early, to take those answers itself (main.js `boot`)."""
    return await _serve("index.html")


@bp.get("/")
async def index() -> Response:
    return await _app_page()


@bp.get("/<name>")
async def top_level(name: str) -> Response:
    if "." not in name:
        return await _app_page()  # client-side routes such as /settings
    return await _serve(name)  # sw.js, manifest.webmanifest, ...


# Listing the folders keeps unknown API paths out of this blueprint, so they answer 404/405.
@bp.get(f"/<any({ASSET_FOLDERS}, {', '.join(APP_VIEWS)}):folder>/<path:relative>")
async def asset(folder: str, relative: str) -> Response:
    if folder in APP_VIEWS:
        return await _app_page()  # /playlist/<id>, /artist/<id>, /album/<id>
    return await _serve(f"{folder}/{relative}")
