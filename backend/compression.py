"""Compressed answers, by the ecosystem's ASGI middleware (starlette-compress) around the app.

Zstandard, Brotli or gzip, whichever the client accepts first in that order, at level 4
(fast: a feed answer compresses in about a millisecond); only compressible content types
(JSON, text, SVG, JS, wasm — not audio or images), never a range (206) or an answer that is
already encoded, nothing under 500 bytes. It adds `Vary: Accept-Encoding`.

The page's own files are the exception: the same answer again and again, so the static
blueprint compresses each version of a file once (`preferred` and `compress`, the
middleware's order and codecs) and sends it already encoded, which the middleware passes on.
"""

from __future__ import annotations

import gzip

import brotli
from quart import Quart
from starlette_compress import CompressMiddleware
from werkzeug.datastructures import Accept
from zstandard import ZstdCompressor

LEVEL = 4  # each codec's level (zstd, gzip) or quality (brotli)
CODINGS = ("zstd", "br", "gzip")  # the middleware's order of preference
MINIMUM_SIZE = 500  # smaller answers go as they are


def install_compression(app: Quart) -> None:
    """Wrap the app's ASGI callable (Quart's documented way to add ASGI middleware), so
    every server (Hypercorn here) serves compressed answers."""
    app.asgi_app = CompressMiddleware(  # type: ignore[method-assign,assignment]
        app.asgi_app,  # type: ignore[arg-type]
        minimum_size=MINIMUM_SIZE, zstd_level=LEVEL, brotli_quality=LEVEL, gzip_level=LEVEL)


def preferred(accepted: Accept) -> str | None:
    """The coding the middleware would pick for a request's Accept-Encoding (None: none)."""
    return next((coding for coding in CODINGS if accepted.quality(coding) > 0), None)


def compress(data: bytes, coding: str) -> bytes:
    if coding == "zstd":
        return ZstdCompressor(level=LEVEL).compress(data)
    if coding == "br":
        return bytes(brotli.compress(data, quality=LEVEL))
    return gzip.compress(data, compresslevel=LEVEL)
