"""Encore's ids for Subsonic songs, `subsonic-<server>-<song id>`, and for their artists and
albums, `subsonic-<server>-artist-<artist id>` and `subsonic-<server>-album-<album id>`.

`<server>` is 10 hex digits of a hash of the server's normalized URL, so the same song on the
same server has the same id for every listener and across calls, and songs of two servers never
collide. A song id made only of URL-safe characters is kept as it is (Navidrome, Gonic and
Supysonic ids are); anything else is base64url-encoded behind a `~`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

PREFIX = "subsonic-"
MAX_ID = 128  # what an interaction's track_id may hold
_PLAIN = re.compile(r"[A-Za-z0-9._-]+")
_KEY = re.compile(r"[0-9a-f]{10}")
_B64 = re.compile(r"[A-Za-z0-9_-]+")


def server_key(normalized_url: str) -> str:
    return hashlib.sha256(normalized_url.encode()).hexdigest()[:10]


def track_id(key: str, song_id: str) -> str | None:
    """None when the song id would make an id too long to store, or is not text (a server's
    JSON may hold a lone surrogate, which no UTF-8 can carry)."""
    try:
        raw = song_id.encode()
    except UnicodeEncodeError:
        return None
    text = song_id if _PLAIN.fullmatch(song_id) else "~" + base64.urlsafe_b64encode(
        raw).decode().rstrip("=")
    value = f"{PREFIX}{key}-{text}"
    return value if len(value) <= MAX_ID else None


def parse_track_id(value: str) -> tuple[str, str] | None:
    """(server key, song id), or None when `value` is not a well-formed Subsonic track id."""
    if not value.startswith(PREFIX) or len(value) > MAX_ID:
        return None
    key, sep, text = value[len(PREFIX):].partition("-")
    if not sep or not _KEY.fullmatch(key) or not text:
        return None
    if text.startswith("~"):
        raw = text[1:]
        if not _B64.fullmatch(raw):
            return None
        try:
            return key, base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
    return (key, text) if _PLAIN.fullmatch(text) else None


def item_id(key: str, kind: str, server_id: str) -> str:
    """An artist's or album's id (`kind`: artist | album), cut to what an id may hold."""
    return f"{PREFIX}{key}-{kind}-{server_id}"[:MAX_ID]


def parse_item_id(value: str, kind: str) -> tuple[str, str] | None:
    """(server key, the server's id) of an `item_id` of this kind, or None."""
    key, sep, server_id = value.removeprefix(PREFIX).partition(f"-{kind}-")
    if not value.startswith(PREFIX) or not sep or not _KEY.fullmatch(key) or not server_id:
        return None
    return key, server_id


def is_subsonic_id(value: str) -> bool:
    return parse_track_id(value) is not None
