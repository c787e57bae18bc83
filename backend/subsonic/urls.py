"""Which Subsonic servers Encore may talk to, and the one spelling of a server's address.

A listener types a URL; Encore's server then makes requests to it. So that this cannot be
used to reach hosts the operator did not mean to expose (an internal admin page, a cloud
metadata address), a typed URL is only used when its host is listed in
`ENCORE_SUBSONIC_ALLOWED_HOSTS` (or is the server-wide library's own host), and redirects are
never followed (the client is built with `follow_redirects=False`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx2

MAX_URL = 2048


class BadServerUrl(ValueError):
    """The text is not an http(s) address of a server."""


def normalize_url(raw: str) -> str:
    """`scheme://host[:port][/path]`, lower-case host, no trailing slash or `/rest`.

    Users paste all sorts: `music.example.org/rest/`, `https://Music.Example.org/`; they all
    name one server, which must have one spelling (it is part of every track id)."""
    text = raw.strip()
    if not text or len(text) > MAX_URL:
        raise BadServerUrl("Give the server's address, such as https://music.example.org.")
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise BadServerUrl("That is not a valid server address.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise BadServerUrl("The server's address must start with http:// or https://.")
    if not parts.hostname:
        raise BadServerUrl("The server's address has no host name.")
    if parts.username is not None or parts.password is not None:
        raise BadServerUrl("Put the username and password in their own fields, not in the URL.")
    if parts.query or parts.fragment:
        raise BadServerUrl("The server's address must not have a query (?…) or fragment (#…).")
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[scheme]
    netloc = host if port in (None, default) else f"{host}:{port}"
    path = _without_dot_segments(parts.path).rstrip("/")
    if path.lower().endswith("/rest"):
        path = path[: -len("/rest")]
    normalized = f"{scheme}://{netloc}{path}"
    try:  # what the HTTP client cannot send (a control character, a host IDNA cannot spell)
        httpx2.URL(normalized)
    except httpx2.InvalidURL:
        raise BadServerUrl("That is not a valid server address.") from None
    return normalized


def _without_dot_segments(path: str) -> str:
    """"/a/./b/../c" is "/a/c" (RFC 3986 5.2.4), as the HTTP client sends it: "http://h/.."
    reaches http://h, so it must not be a server of its own (with other track ids)."""
    kept: list[str] = []
    for segment in path.split("/")[1:]:
        if segment == "..":
            del kept[-1:]
        elif segment != ".":
            kept.append(segment)
    return "/" + "/".join(kept) if path else ""  # (a trailing "/" goes anyway)


def host_of(url: str) -> str:
    """`host` or `host:port` of a normalized URL (what the allow-list names)."""
    return urlsplit(url).netloc


def host_allowed(url: str, allowed: list[str], always: tuple[str, ...] = ()) -> bool:
    """Whether a normalized URL's host is on the list. An entry is `host` (any port),
    `host:port`, or `*.domain` (any subdomain of it). `always` holds hosts (with port) that
    are allowed whatever the list says: the server-wide library's."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    netloc = parts.netloc.lower()
    if netloc in always:
        return True
    for entry in (e.strip().lower() for e in allowed):
        if not entry:
            continue
        if entry.startswith("*.") and host.endswith(entry[1:]) and host != entry[2:]:
            return True
        if entry in (host, netloc):
            return True
    return False
