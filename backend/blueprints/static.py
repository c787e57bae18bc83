"""The PWA's files: ENCORE_WEB_ROOT, else the built bundle in pwa/dist, else the sources in pwa/.

`index.html`, the manifest and the service worker must be revalidated on every load so an
update is seen; content-hashed assets never change and are cached for a year; the icons
(named in the manifest, so not hashed) for a day.
"""

from __future__ import annotations

import re
from pathlib import Path

from quart import Blueprint, Response, send_from_directory

from ..app_types import app
from ..errors import ApiError

bp = Blueprint("static_app", __name__)

PWA_ROOT = Path(__file__).resolve().parents[2] / "pwa"
_HASHED = re.compile(r"[.-][0-9a-zA-Z_-]{8,}\.(js|css|mjs|wasm|svg|png|woff2|zip)$")
ICON_MAX_AGE = 86_400
ASSET_FOLDERS = "assets, icons, vendor, pkg"  # the only folders the bundle has
# The page's routes with an id (pwa/src/page/library.js): a link or a reload opens the app there
# even before a service worker controls the page (a new device, a shared link).
APP_VIEWS = ("playlist", "artist", "album")


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
        found = target.is_relative_to(root) and target.is_file()
    except OSError:  # a name too long for the file system, and the like: no such file
        found = False
    if not found:
        raise ApiError(404, "not_found", "Nothing here.")
    response = await send_from_directory(root, relative)
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


@bp.get("/")
async def index() -> Response:
    return await _serve("index.html")


@bp.get("/<name>")
async def top_level(name: str) -> Response:
    if "." not in name:
        return await _serve("index.html")  # client-side routes such as /settings
    return await _serve(name)  # sw.js, manifest.webmanifest, ...


# Listing the folders keeps unknown API paths out of this blueprint, so they answer 404/405.
@bp.get(f"/<any({ASSET_FOLDERS}, {', '.join(APP_VIEWS)}):folder>/<path:relative>")
async def asset(folder: str, relative: str) -> Response:
    if folder in APP_VIEWS:
        return await _serve("index.html")  # /playlist/<id>, /artist/<id>, /album/<id>
    return await _serve(f"{folder}/{relative}")
