"""Server-side sessions: a random id in an HttpOnly SameSite=Lax cookie, its hash in the store.

The cookie's value is the id, `~`, and the username: the name is a hint that lets a store read
the user along with the session (DynamoDB: one BatchGetItem instead of two reads in a row, on
every signed-in request); the user is always the session's, whatever the hint says, and the
whole value is the secret that is hashed. Cookies from before the hint (the id alone) work.

Logging out deletes the record, so a copied cookie stops working at once; every login makes
a new id (no session fixation). The functions take the store they work on; the request's
session and user are looked up once per request (kept on `g`). Blueprints reach them through
`blueprints/signed_in.py`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Mapping

from quart import Quart, Response, g, request
from quart.sessions import NullSession, SessionInterface

from .errors import ApiError
from .store import Session, Store, User

COOKIE = "encore_session"
SECURE_COOKIE = "__Host-encore_session"  # over HTTPS: Secure, Path=/, no Domain
# "1" while signed in, readable by the page (pwa/src/page/signed-in.js): not a secret, and
# nothing is ever trusted from it; the page asks for nothing that needs a session without it.
SIGNED_IN_HINT = "encore_signed_in"


HINT = "~"  # never in a token_urlsafe id, nor in a username
_CAN_HINT = re.compile(r"[a-z0-9_.\-]{1,64}")  # what a cookie carries unquoted


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def _new_cookie_value(username: str) -> str:
    token = secrets.token_urlsafe(32)
    return f"{token}{HINT}{username}" if _CAN_HINT.fullmatch(username) else token


def _username_hint(sid: str) -> str | None:
    _, separator, hint = sid.rpartition(HINT)
    return hint if separator else None


def session_id(cookies: Mapping[str, str]) -> str | None:
    """The session id the request's cookies carry, if any."""
    # `in` before reading: werkzeug's get() of an absent cookie raises and catches inside
    secure = cookies[SECURE_COOKIE] if SECURE_COOKIE in cookies else None
    return secure or (cookies[COOKIE] if COOKIE in cookies else None)


def _cookie_value() -> str | None:
    return session_id(request.cookies)


async def signed_in(
    store: Store, cookies: Mapping[str, str]
) -> tuple[Session | None, User | None]:
    """The session the cookies name and its user (one round trip where the store allows), or
    Nones. Read from the store on every request, never from a cache: a password change or a
    sign-out elsewhere ends a session at once. Quart's requests (`current_user`) and the
    plain-ASGI path of `POST /api/interactions` both call this."""
    sid = session_id(cookies)
    found = await store.get_signed_in(_hash(sid), _username_hint(sid)) if sid else None
    return found or (None, None)


def known(user: User | None) -> User:
    """The signed-in user, else 401: never a user named in the request."""
    if user is None:
        raise ApiError(401, "not_signed_in", "Sign in first.")
    return user


async def current_session(store: Store) -> Session | None:
    """The request's session, looked up once per request."""
    if "session" not in g:
        sid = _cookie_value()
        g.session = await store.get_session(_hash(sid)) if sid else None
    return g.session


async def current_user(store: Store) -> User:
    """The signed-in user of this request (`signed_in`), else 401; looked up once per request."""
    if "user" in g:
        return g.user
    if "session" in g:  # signed in on this request
        user = await store.get_user(g.session.username) if g.session else None
    else:
        g.session, user = await signed_in(store, request.cookies)
    g.user = known(user)
    return g.user


async def start_session(
    store: Store, response: Response, username: str, *, ttl_s: int, secure: bool
) -> None:
    """End any current session and issue a fresh id for `username`; `secure` (the listener
    reaches us over HTTPS) makes the cookie `__Host-`, Secure."""
    old = _cookie_value()
    if old:
        await store.delete_session(_hash(old))
    sid = _new_cookie_value(username)
    session = Session(sid_hash=_hash(sid), username=username, expires_at=int(time.time()) + ttl_s)
    await store.put_session(session)
    g.session = session
    g.session_started = True  # (its hint too: keep_signed_in_hint)
    response.set_cookie(
        SECURE_COOKIE if secure else COOKIE,
        sid,
        max_age=ttl_s,
        path="/",
        httponly=True,
        secure=secure,
        samesite="Lax",
    )


async def save_session(store: Store, session: Session) -> None:
    await store.put_session(session)


async def end_session(store: Store, response: Response) -> None:
    sid = _cookie_value()
    if sid:
        await store.delete_session(_hash(sid))
    g.session = None
    for name in (COOKIE, SECURE_COOKIE):
        if name in request.cookies:
            response.delete_cookie(
                name, path="/", secure=name == SECURE_COOKIE, httponly=True, samesite="Lax"
            )


def keep_signed_in_hint(response: Response, *, ttl_s: int, secure: bool) -> None:
    """The page's hint (SIGNED_IN_HINT) follows the session: set while this request found one
    (or started one), cleared when it looked and found none (signed out, expired, ended
    elsewhere). A request that did not look goes by whether the session cookie was sent, so
    a session from before the hint gets it on its first answer; a wrong guess is corrected by
    the page's next request. Without the hint the page asks for nothing that needs a session,
    where each 401 was an error in the browser's console."""
    looked = "session" in g
    session: Session | None = g.session if looked else None
    signed_in = session is not None if looked else session_id(request.cookies) is not None
    hinted = SIGNED_IN_HINT in request.cookies
    if signed_in and (not hinted or g.get("session_started", False)):
        max_age = session.expires_at - int(time.time()) if session else ttl_s
        response.set_cookie(SIGNED_IN_HINT, "1", max_age=max_age, path="/", secure=secure,
                            httponly=False, samesite="Lax")
    elif hinted and not signed_in:
        response.delete_cookie(SIGNED_IN_HINT, path="/", secure=secure, samesite="Lax")


class NoCookieSession(SessionInterface):
    """Quart's own signed-cookie session, switched off: Encore's sessions are the server-side
    ones above, and Quart's would build a signing serializer and look for its cookie on every
    request for nothing (py-spy: about 3 % of an interaction's CPU)."""

    async def open_session(self, app: Quart, request: object) -> NullSession:  # type: ignore[override]
        return NullSession()

    async def save_session(self, *args: object) -> None:  # type: ignore[override]
        return None
