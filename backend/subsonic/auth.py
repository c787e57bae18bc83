"""How a request proves who it is to a Subsonic server, in the three ways real clients use.

- `apikey`: OpenSubsonic's API key (`apiKey=`), alone: no `u`.
- `token`: `u`, `t` = md5(password + salt), `s` = a fresh random salt per request (API 1.13+).
- `password`: `u`, `p` = `enc:` + the password's UTF-8 bytes in hex — for servers that know
  nothing else (Subsonic before 1.13, Supysonic, LDAP accounts).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field

AUTH_MODES = ("apikey", "token", "password")
AUTH_PARAMS = frozenset({"u", "p", "t", "s", "apiKey"})


@dataclass(frozen=True)
class Credentials:
    username: str = ""
    password: str = field(default="", repr=False)
    api_key: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if bool(self.password) == bool(self.api_key):
            raise ValueError("give a password or an API key, not both")
        if self.password and not self.username:
            raise ValueError("a password needs a username")


def salt() -> str:
    return secrets.token_hex(8)


def auth_params(credentials: Credentials, mode: str) -> dict[str, str]:
    if mode == "apikey":
        return {"apiKey": credentials.api_key}
    if mode == "token":
        s = salt()
        t = hashlib.md5((credentials.password + s).encode(), usedforsecurity=False).hexdigest()
        return {"u": credentials.username, "t": t, "s": s}
    if mode == "password":
        return {"u": credentials.username, "p": "enc:" + credentials.password.encode().hex()}
    raise ValueError(f"unknown auth mode {mode!r}")


def modes_to_try(credentials: Credentials, api_version: str) -> list[str]:
    """In order of preference. An API key is the only thing to try with an API key; a
    password tries a token first unless the server's API predates tokens (1.13.0)."""
    if credentials.api_key:
        return ["apikey"]
    return ["token", "password"] if version_tuple(api_version) >= (1, 13, 0) else ["password"]


def version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts + [0] * (3 - len(parts)))
