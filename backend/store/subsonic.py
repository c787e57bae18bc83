"""A listener's own Subsonic account, as the store keeps it (both stores: subsonic_*.py).

The credentials (a password or an API key) are one AES-GCM ciphertext (`backend.crypto`), so
neither store ever sees them in the clear; the rest says which server and how to sign in there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class SubsonicLink:
    username: str  # Encore's user
    url: str  # the server, normalized (backend.subsonic.urls)
    server_user: str  # the account on the server ("" with an API key)
    secret_enc: bytes  # AES-GCM of {"password": ...} or {"api_key": ...}
    server: dict[str, Any] = field(default_factory=dict)  # ServerInfo.to_dict()
    connected_at: int = 0  # epoch s
    checked_at: int = 0  # epoch s of the last successful sign-in / extension read
