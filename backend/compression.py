"""Compressed answers, by the ecosystem's ASGI middleware (starlette-compress) around the app.

Zstandard, Brotli or gzip, whichever the client accepts first in that order, at level 4
(fast: a feed answer compresses in about a millisecond); only compressible content types
(JSON, text, SVG, JS, wasm — not audio or images), never a range (206) or an answer that is
already encoded, nothing under 500 bytes. It adds `Vary: Accept-Encoding`.
"""

from __future__ import annotations

from quart import Quart
from starlette_compress import CompressMiddleware


def install_compression(app: Quart) -> None:
    """Wrap the app's ASGI callable (Quart's documented way to add ASGI middleware), so
    every server (Hypercorn here) serves compressed answers."""
    app.asgi_app = CompressMiddleware(app.asgi_app)  # type: ignore[method-assign,arg-type,assignment]
