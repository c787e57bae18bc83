"""Security headers on every answer, the CSRF defence on state-changing requests, and what the
request says about the listener's origin (the settings they depend on are passed in)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

from hypercorn.middleware import ProxyFixMiddleware
from quart import Quart, Response, request
from werkzeug.datastructures import Headers

from .config import Settings
from .errors import ApiError
from .inputs import header

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_HEADER = "X-Requested-With"  # the page sends "X-Requested-With: encore"

SPOTIFY_DOMAINS = ("spotify.com", "scdn.co", "spotifycdn.com")


def spotify_dev_origins(settings: Settings) -> list[str]:
    """The configured Spotify accounts/API origins when they are not Spotify's own (the emulator
    in development): the browser loads the player, covers and previews from there."""
    origins: list[str] = []
    for url in (settings.spotify_accounts_url, settings.spotify_api_url):
        parts = urlsplit(str(url))
        host = parts.hostname or ""
        if host and not any(host == d or host.endswith("." + d) for d in SPOTIFY_DOMAINS):
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in origins:
                origins.append(origin)
    return origins


def content_security_policy(extra_origins: Sequence[str] = ()) -> str:
    """Encore's CSP; `extra_origins` (a Spotify emulator) may serve scripts, media and images."""
    extra = "".join(f" {origin}" for origin in extra_origins)
    return "; ".join(
        [
            "default-src 'self'",
            # Pyodide compiles WebAssembly; the Web Playback SDK comes from Spotify.
            f"script-src 'self' 'wasm-unsafe-eval' https://sdk.scdn.co{extra}",
            "worker-src 'self'",
            "connect-src 'self' https://api.spotify.com https://*.spotify.com wss://*.spotify.com"
            f" https://sdk.scdn.co https://*.scdn.co{extra}",
            "img-src 'self' data: blob: https://i.scdn.co https://*.scdn.co"
            f" https://*.spotifycdn.com{extra}",
            f"media-src 'self' blob: https://*.scdn.co https://*.spotifycdn.com{extra}",
            f"frame-src https://sdk.scdn.co https://*.spotify.com{extra}",
            "style-src 'self'",
            "font-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            f"form-action 'self' https://accounts.spotify.com{extra}",
            "frame-ancestors 'none'",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()


def spotify_browser_urls(settings: Settings) -> dict[str, str]:
    """Where the page loads the Web Playback SDK from and sends its player commands: Spotify's
    own hosts, or the configured emulator's origin in development."""
    api = str(settings.spotify_api_url).rstrip("/")
    dev = spotify_dev_origins(settings)
    if api.startswith(tuple(dev)) and dev:
        parts = urlsplit(api)
        return {"sdk_url": f"{parts.scheme}://{parts.netloc}/spotify-player.js", "api_url": api}
    return {"sdk_url": "https://sdk.scdn.co/spotify-player.js", "api_url": "https://api.spotify.com/v1"}


def own_origin(settings: Settings, scheme: str, host: str) -> str:
    """The origin the listener's browser is on: ENCORE_PUBLIC_ORIGIN when set, else what the
    request shows (its scheme and Host, which a trusted proxy's X-Forwarded-Proto/Host replace
    before we see them: `trust_proxies`)."""
    return settings.public_origin or f"{scheme}://{host}"


def is_https(settings: Settings) -> bool:
    """Whether the listener reaches us over HTTPS (cookies are then Secure and __Host-)."""
    return (
        settings.secure_cookies
        or own_origin(settings, request.scheme, request.host).startswith("https://")
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


def check_csrf(settings: Settings, method: str, path: str, scheme: str, host: str,
               headers: Headers) -> None:
    """Reject cross-site state changes: a foreign Origin, or neither Origin nor our header.
    The request's parts come as arguments: Quart's hook and the plain-ASGI path of
    `POST /api/interactions` (blueprints/plain_interactions.py) both call this.

    The model node API (`/model/...`) is server-to-server and guarded by its shared secret.
    """
    if method not in STATE_CHANGING or path.startswith("/model/"):
        return
    origin = header(headers, "Origin")
    if origin:
        allowed = {own_origin(settings, scheme, host), *settings.trusted_origins}
        if origin.rstrip("/") not in allowed:
            raise ApiError(403, "csrf_failed", "Cross-site request refused.")
        return
    if header(headers, "Sec-Fetch-Site") == "cross-site" or not header(headers, CSRF_HEADER):
        raise ApiError(403, "csrf_failed", f"Missing Origin or {CSRF_HEADER} header.")


def security_policy(settings: Settings) -> str:
    """The CSP of every answer: it names a Spotify emulator's origin when one is configured,
    so the documented development set-up works as written."""
    return content_security_policy(spotify_dev_origins(settings))


def security_headers(settings: Settings) -> Callable[[Response], Awaitable[Response]]:
    """The after-request hook adding the security headers."""
    policy = security_policy(settings)

    async def add(response: Response) -> Response:
        add_security_headers(response.headers, request.path, policy)
        return response

    return add


def add_security_headers(headers: Headers, path: str,
                         policy: str = CONTENT_SECURITY_POLICY) -> Headers:
    """The security headers an answer to `path` lacks, added to `headers` (returned)."""
    # One pass over the names: werkzeug's setdefault/`in` raise and catch a KeyError (an
    # HTTPException) for every header missing, six per answer.
    present = {name.lower() for name in headers.keys()}
    defaults = [
        ("Content-Security-Policy", policy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if path.startswith(("/api/", "/auth/")):
        # Public media (demo audio, covers) set their own cache policy; user data is never stored.
        defaults.append(("Cache-Control", "no-store"))
    for name, value in defaults:
        if name.lower() not in present:
            headers.add(name, value)
    return headers
