"""Server-side sessions: a random id in an HttpOnly SameSite=Lax cookie, its hash in the store.

Logging out deletes the record, so a copied cookie stops working at once; every login makes
a new id (no session fixation).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from quart import Response, g, request

from .app_types import app
from .errors import ApiError
from .store import Session, User

COOKIE = "encore_session"
SECURE_COOKIE = "__Host-encore_session"  # over HTTPS: Secure, Path=/, no Domain


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def _secure() -> bool:
    return bool(app().config["SECURE_COOKIES"]) or request.scheme == "https"


def _cookie_value() -> str | None:
    return request.cookies.get(SECURE_COOKIE) or request.cookies.get(COOKIE)


async def current_session() -> Session | None:
    """The request's session, looked up once per request."""
    if "session" not in g:
        sid = _cookie_value()
        g.session = await app().store.get_session(_hash(sid)) if sid else None
    return g.session


async def current_user() -> User:
    """The signed-in user (from the session, never from the request body), else 401."""
    if "user" in g:
        return g.user
    session = await current_session()
    user = await app().store.get_user(session.username) if session else None
    if user is None:
        raise ApiError(401, "not_signed_in", "Sign in first.")
    g.user = user
    return user


async def start_session(response: Response, username: str) -> None:
    """End any current session and issue a fresh id for `username`."""
    old = _cookie_value()
    if old:
        await app().store.delete_session(_hash(old))
    sid = secrets.token_urlsafe(32)
    ttl = int(app().config["SESSION_TTL_S"])
    session = Session(sid_hash=_hash(sid), username=username, expires_at=int(time.time()) + ttl)
    await app().store.put_session(session)
    g.session = session
    secure = _secure()
    response.set_cookie(
        SECURE_COOKIE if secure else COOKIE,
        sid,
        max_age=ttl,
        path="/",
        httponly=True,
        secure=secure,
        samesite="Lax",
    )


async def save_session(session: Session) -> None:
    await app().store.put_session(session)


async def end_session(response: Response) -> None:
    sid = _cookie_value()
    if sid:
        await app().store.delete_session(_hash(sid))
    g.session = None
    for name in (COOKIE, SECURE_COOKIE):
        if name in request.cookies:
            response.delete_cookie(
                name, path="/", secure=name == SECURE_COOKIE, httponly=True, samesite="Lax"
            )


def login_required(func: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Answer 401 before anything else (body validation included) when nobody is signed in."""

    @wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        await current_user()
        return await func(*args, **kwargs)

    return wrapper
