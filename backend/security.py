"""Security headers on every answer, the CSRF defence on state-changing requests, and what the
request says about the listener's origin (the settings they depend on are passed in)."""

from __future__ import annotations

from hypercorn.middleware import ProxyFixMiddleware
from quart import Quart, Response, request

from .config import Settings
from .errors import ApiError

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_HEADER = "X-Requested-With"  # the page sends "X-Requested-With: encore"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        # Pyodide compiles WebAssembly; the Web Playback SDK comes from Spotify.
        "script-src 'self' 'wasm-unsafe-eval' https://sdk.scdn.co",
        "worker-src 'self'",
        "connect-src 'self' https://api.spotify.com https://*.spotify.com wss://*.spotify.com"
        " https://sdk.scdn.co https://*.scdn.co",
        "img-src 'self' data: blob: https://i.scdn.co https://*.scdn.co https://*.spotifycdn.com",
        "media-src 'self' blob: https://*.scdn.co https://*.spotifycdn.com",
        "frame-src https://sdk.scdn.co https://*.spotify.com",
        "style-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self' https://accounts.spotify.com",
        "frame-ancestors 'none'",
    ]
)


def own_origin(settings: Settings) -> str:
    """The origin the listener's browser is on: ENCORE_PUBLIC_ORIGIN when set, else what this
    request shows (its scheme and Host, which a trusted proxy's X-Forwarded-Proto/Host replace
    before we see them: `trust_proxies`)."""
    return settings.public_origin or f"{request.scheme}://{request.host}"


def is_https(settings: Settings) -> bool:
    """Whether the listener reaches us over HTTPS (cookies are then Secure and __Host-)."""
    return (
        settings.secure_cookies
        or own_origin(settings).startswith("https://")
        or request.scheme == "https"
    )


def trust_proxies(app: Quart, settings: Settings) -> None:
    """Believe X-Forwarded-For/Proto/Host from ENCORE_TRUSTED_PROXY_HOPS proxies in front (the
    value each header's last hop added), and none at all by default: without a proxy, anyone
    could claim to be on HTTPS or at another address."""
    hops = settings.trusted_proxy_hops
    if hops:
        app.asgi_app = ProxyFixMiddleware(  # type: ignore[method-assign]
            app.asgi_app, mode="legacy", trusted_hops=hops
        )


async def check_csrf(settings: Settings) -> None:
    """Reject cross-site state changes: a foreign Origin, or neither Origin nor our header.

    The model node API (`/model/...`) is server-to-server and guarded by its shared secret.
    """
    if request.method not in STATE_CHANGING or request.path.startswith("/model/"):
        return
    origin = request.headers.get("Origin")
    if origin:
        allowed = {own_origin(settings), *settings.trusted_origins}
        if origin.rstrip("/") not in allowed:
            raise ApiError(403, "csrf_failed", "Cross-site request refused.")
        return
    if request.headers.get("Sec-Fetch-Site") == "cross-site" or not request.headers.get(
        CSRF_HEADER
    ):
        raise ApiError(403, "csrf_failed", f"Missing Origin or {CSRF_HEADER} header.")


async def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.path.startswith(("/api/", "/auth/")) and "Cache-Control" not in headers:
        # Public media (demo audio, covers) set their own cache policy; user data is never stored.
        headers["Cache-Control"] = "no-store"
    return response
