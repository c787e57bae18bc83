"""The signed-in listener, for route handlers: `@signed_in.required` and `await signed_in.user()`.

Blueprints are where the app's resources meet the plain modules: these helpers hand the app's
store to `sessions.py` so that no domain module reaches for the app itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from quart import Response

from .. import sessions
from ..app_types import app
from ..security import is_https
from ..store import Session, User


async def user() -> User:
    """The signed-in user, else a 401 `not_signed_in`."""
    return await sessions.current_user(app().store)


async def session() -> Session:
    """The signed-in user's session (for handlers under `required`)."""
    await user()
    found = await sessions.current_session(app().store)
    assert found is not None  # a user was found through it
    return found


async def save(session: Session) -> None:
    await sessions.save_session(app().store, session)


async def start(response: Response, username: str) -> None:
    """Sign `username` in on this response (a fresh session id in the cookie)."""
    settings = app().settings
    await sessions.start_session(
        app().store, response, username, ttl_s=settings.session_ttl_s, secure=is_https(settings)
    )


async def end(response: Response) -> None:
    await sessions.end_session(app().store, response)


async def keep_hint(response: Response) -> Response:
    """After every request: the page's signed-in hint follows the session."""
    settings = app().settings
    sessions.keep_signed_in_hint(response, ttl_s=settings.session_ttl_s,
                                 secure=is_https(settings))
    return response


def required(func: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Answer 401 before anything else (body validation included) when nobody is signed in."""

    @wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        await user()
        return await func(*args, **kwargs)

    return wrapper
