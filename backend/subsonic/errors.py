"""What can go wrong talking to a Subsonic server, in words a listener can act on.

A server answers `status: failed` with a numeric code (the Subsonic API's error table, plus
OpenSubsonic's 41-44); a server that is down, slow or not a Subsonic server at all has no code.
Both become one `SubsonicError`, whose `message` is safe to show (it never holds a credential
or a URL with credentials in it), and `api_error()` is the one answer every route gives for it.
"""

from __future__ import annotations

from ..errors import ApiError

# The Subsonic/OpenSubsonic error codes, as a listener should read them.
MESSAGES: dict[int, str] = {
    0: "The Subsonic server reported an error",
    10: "The Subsonic server says a required parameter is missing",
    20: "The Subsonic server speaks an older API than Encore (it asks the client to upgrade)",
    30: "The Subsonic server's API is too old for Encore (it asks the server to upgrade)",
    40: "Wrong username or password for this Subsonic server",
    41: "This Subsonic server does not accept token sign-in for this account (LDAP)",
    42: "This Subsonic server does not accept this way of signing in; try an API key",
    43: "Conflicting credentials were sent to the Subsonic server",
    44: "This API key is not valid on the Subsonic server (revoked or mistyped)",
    50: "This Subsonic account is not allowed to do that",
    60: "The Subsonic server's trial period is over",
    70: "The Subsonic server does not have that item",
}
AUTH_CODES = frozenset({40, 41, 42, 43, 44})


class SubsonicError(Exception):
    """`code` is the server's error code, or None when no Subsonic answer came back
    (`unreachable`: down, timed out, refused, redirected, or not a Subsonic server)."""

    def __init__(
        self,
        message: str,
        code: int | None = None,
        *,
        unreachable: bool = False,
        server_message: str = "",
        help_url: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.unreachable = unreachable
        self.server_message = server_message
        self.help_url = help_url

    @classmethod
    def failed(cls, code: int, server_message: str = "", help_url: str = "") -> SubsonicError:
        """The error for a `status: failed` answer, the server's own words kept as detail."""
        base = MESSAGES.get(code, f"The Subsonic server failed (error {code})")
        detail = server_message.strip()[:200]
        # The server's words end inside our brackets without their full stop, and are left out
        # when ours already say them ("Wrong username or password." for error 40).
        said = detail.rstrip(" .").casefold()
        extra = f": {detail.rstrip(' .')}" if said and said not in base.casefold() else ""
        text = f"{base} (error {code}{extra})."
        if help_url:
            text += f" See {help_url[:300]}"
        return cls(text, code, server_message=detail, help_url=help_url)

    @classmethod
    def down(cls, host: str, why: str) -> SubsonicError:
        return cls(f"The Subsonic server at {host} {why}.", unreachable=True)

    @property
    def is_auth(self) -> bool:
        return self.code in AUTH_CODES

    @property
    def not_found(self) -> bool:
        return self.code == 70

    @property
    def names_nothing(self) -> bool:
        """Asked for one item by its id: the server has no such item (70), or cannot read
        the id (10, or 0: Supysonic's "Invalid ID" for an id that is not one of its UUIDs).
        A listener's typo or a stale link, not a server failing."""
        return self.code in (0, 10, 70)


def api_error(error: SubsonicError) -> ApiError:
    """What every route answers when the listener's server failed, so one outage has one code
    and one sentence wherever it is met: 502 `subsonic_unreachable` (down, slow, not a Subsonic
    server), 400 `subsonic_sign_in_failed`, 404 `subsonic_not_found`, else 502
    `subsonic_failed` (the server answered an error)."""
    if error.is_auth:
        return ApiError(400, "subsonic_sign_in_failed", error.message)
    if error.unreachable:
        return ApiError(502, "subsonic_unreachable", error.message)
    if error.not_found:
        return ApiError(404, "subsonic_not_found", error.message)
    return ApiError(502, "subsonic_failed", error.message)
