"""The Subsonic protocol as the reference describes it: the `subsonic-response` envelope,
sign-in checks with their error codes, and typed parameters.

Error codes (reference, Responses/error): 10 missing parameter, 20/30 protocol version,
40 wrong credentials, 41 token sign-in not supported, 42 mechanism not supported,
43 conflicting mechanisms, 44 invalid API key, 50 not authorised, 70 not found.
"""

from __future__ import annotations

import binascii
import hashlib
from typing import Any

from quart import current_app, jsonify
from quart.wrappers import Response

from .state import SERVER_TYPE, SERVER_VERSION, Account, EmulatorState

MESSAGES = {
    0: "A generic error.", 10: "Required parameter is missing.",
    20: "Incompatible Subsonic REST protocol version. Client must upgrade.",
    30: "Incompatible Subsonic REST protocol version. Server must upgrade.",
    40: "Wrong username or password.",
    41: "Token authentication not supported for LDAP users.",
    42: "Provided authentication mechanism not supported.",
    43: "Multiple conflicting authentication mechanisms provided.",
    44: "Invalid API key.", 50: "User is not authorized for the given operation.",
    60: "The trial period for the Subsonic server is over.",
    70: "The requested data was not found.",
}


class Values(dict[str, str]):
    """A request's parameters: `values[name]` is the first, `values.all(name)` every one
    (the API repeats a name for lists: `id=1&id=2`)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__()
        self.lists: dict[str, list[str]] = {}
        for key, value in pairs:
            self.setdefault(key, value)
            self.lists.setdefault(key, []).append(value)

    def all(self, name: str) -> list[str]:
        return [v for v in self.lists.get(name, []) if v]


class Fault(Exception):
    """Answered as `status: failed` with this code (HTTP 200, as servers do)."""

    def __init__(self, code: int, message: str | None = None, http_status: int = 200) -> None:
        super().__init__(message or MESSAGES.get(code, "error"))
        self.code = code
        self.message = message or MESSAGES.get(code, "error")
        self.http_status = http_status


def state() -> EmulatorState:
    emulator: EmulatorState = current_app.extensions["subsonic_emulator"]
    return emulator


def envelope(status: str, **payload: Any) -> dict[str, Any]:
    switches = state().switches
    body: dict[str, Any] = {"status": status, "version": switches["api_version"]}
    if switches["open_subsonic"]:
        body |= {"type": SERVER_TYPE, "serverVersion": SERVER_VERSION, "openSubsonic": True}
    return {"subsonic-response": body | payload}


def ok(**payload: Any) -> Response:
    return jsonify(envelope("ok", **payload))


def failed(fault: Fault) -> Response:
    error: dict[str, Any] = {"code": fault.code, "message": fault.message}
    if fault.code in (41, 42) and state().switches["open_subsonic"]:
        error["helpUrl"] = "https://music.example.org/settings/api-keys"
    response = jsonify(envelope("failed", error=error))
    response.status_code = fault.http_status
    return response


def _version(text: str) -> tuple[int, int]:
    parts = (text.split(".") + ["0", "0"])[:2]
    try:
        return int(parts[0]), int(parts[1])
    except ValueError:
        raise Fault(10, "v: not a version such as 1.16.1") from None


def authenticate(values: Values) -> Account:
    """The reference's rules: v and c are required; apiKey alone; else u with t+s or p."""
    emulator = state()
    switches = emulator.switches
    for name in ("v", "c"):
        if not values.get(name):
            raise Fault(10, f"Required parameter is missing: {name}")
    client, server = _version(values["v"]), _version(switches["api_version"])
    if client[0] > server[0] or (client[0] == server[0] and client[1] > server[1]):
        raise Fault(30)
    if client[0] < server[0]:
        raise Fault(20)
    api_key = values.get("apiKey")
    if api_key is not None and "apiKeyAuthentication" in switches["extensions"]:
        if any(values.get(n) for n in ("u", "p", "t", "s")):
            raise Fault(43)
        account = emulator.account_for_key(api_key)
        if account is None:
            raise Fault(44)
        return account
    username = values.get("u")
    if not username:
        raise Fault(10, "Required parameter is missing: u")
    token, salt, password = values.get("t"), values.get("s"), values.get("p")
    if password and (token or salt):
        raise Fault(43)
    account = emulator.accounts.get(username)
    if token or salt:
        if not (token and salt):
            raise Fault(10, "Required parameter is missing: t and s go together")
        if not switches["token_auth"]:
            raise Fault(41)
        if client < (1, 13):
            raise Fault(10, "Token authentication needs protocol 1.13.0")
        expected = account and hashlib.md5((account.password + salt).encode()).hexdigest()
        if account is None or token.lower() != expected:
            raise Fault(40)
        return account
    if password is None:
        raise Fault(10, "Required parameter is missing: p or t and s")
    if not switches["password_auth"]:
        raise Fault(42)
    if password.startswith("enc:"):
        try:
            password = binascii.unhexlify(password[4:]).decode()
        except (ValueError, UnicodeDecodeError):
            raise Fault(40) from None
    if account is None or password != account.password:
        raise Fault(40)
    return account


def int_param(values: Values, name: str, default: int | None = None,
              low: int | None = None, high: int | None = None) -> int:
    raw = values.get(name)
    if raw is None or raw == "":
        if default is None:
            raise Fault(10, f"Required parameter is missing: {name}")
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Fault(0, f"{name}: not a whole number") from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise Fault(0, f"{name}: out of range")
    return value


def bool_param(values: Values, name: str, default: bool) -> bool:
    raw = values.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() not in ("true", "false"):
        raise Fault(0, f"{name}: true or false")
    return raw.lower() == "true"


def required(values: Values, name: str) -> str:
    raw = values.get(name)
    if not raw:
        raise Fault(10, f"Required parameter is missing: {name}")
    return raw
