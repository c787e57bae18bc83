"""`POST /api/interactions` in plain ASGI, in front of Quart (issue 12: a flood of plays).

Quart's own work per request (the request object and its context, routing, two tasks per
request, the hooks, the response's way back to ASGI) was a fifth to a quarter of an
interaction's CPU in the serving process, and this is the route a listener's devices flood.
This path answers it with the same functions Quart's hooks and handler call, refusals in the
same order: the CSRF check (`security.check_csrf`), the session's user (`sessions.signed_in`:
never a user named in the body), the body's validation (`inputs.parsed_fast`), the route's work
(`interactions.accept`, the background learning included), the JSON error answers
(`errors.handle`), the security headers and the metrics. Middleware around the app (compression,
a trusted proxy's scope rewrite) wraps this path as it wraps Quart.

It takes only the requests it answers alike; any other goes to Quart untouched, its body
replayed when it was read already:
- a Content-Type other than exactly `application/json` (what the page and its service worker
  send), a body over MAX_CONTENT_LENGTH or slower than BODY_TIMEOUT, a Host that routing
  refuses, a root path;
- a body pydantic's fast parse refuses: quart-schema's usual path words its 400 or 422;
- every request while Quart holds hooks this path does not run (the e2e tests' fault switches,
  a hook added later), checked on the first request.
The whole body is read before the answer: Hypercorn closes a connection whose request body was
left unread, and the client's next request on it would fail.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Any, cast

from hypercorn.typing import (
    ASGIFramework,
    ASGIReceiveCallable,
    ASGISendCallable,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    HTTPScope,
    Scope,
)
from quart import g
from quart.json.provider import DefaultJSONProvider
from quart.signals import (
    got_request_exception,
    request_finished,
    request_started,
    request_tearing_down,
)
from quart.utils import encode_headers
from werkzeug.datastructures import Headers
from werkzeug.exceptions import BadHost
from werkzeug.sansio.http import parse_cookie
from werkzeug.sansio.utils import get_host

from .. import sessions
from ..app_types import EncoreApp
from ..errors import handle, new_request_id
from ..inputs import content_length, header, parsed_fast
from ..interactions import InteractionBatch
from ..security import add_security_headers, check_csrf, security_policy
from .interactions import accept

ROUTE = "/api/interactions"
ENDPOINT = "interactions.post_interactions"
BLUEPRINT = "interactions"
JSON = "application/json"

Hook = Callable[..., Any]
Message = dict[str, Any]


class PlainInteractions:
    """ASGI middleware: `POST /api/interactions` answered here, everything else by `quart`.
    `before` and `after` are the app's request hooks whose work this path does itself."""

    def __init__(self, app: EncoreApp, quart: ASGIFramework, before: list[Hook],
                 after: list[Hook]) -> None:
        self.app = app
        self.quart = quart
        self.hooks = (before, after)
        self.policy = security_policy(app.settings)
        self.json = cast(DefaultJSONProvider, app.json)  # inputs.py's, orjson inside
        self._content_type = (b"content-type", self.json.mimetype.encode())
        self._security = encode_headers(add_security_headers(Headers(), ROUTE, self.policy))
        self._routable: str | None = None
        self._fits: bool | None = None

    async def __call__(self, scope: Scope, receive: ASGIReceiveCallable,
                       send: ASGISendCallable) -> None:
        if (scope["type"] == "http" and scope["path"] == ROUTE and scope["method"] == "POST"
                and not scope.get("root_path") and self.fits_app()):
            await self._answer(cast(HTTPScope, scope), receive, send)
        else:
            await self.quart(scope, receive, send)

    def fits_app(self) -> bool:
        """Whether Quart would run for this route exactly the hooks this path runs itself, and
        route it to the handler whose work it does (checked once: the app is built by then)."""
        if self._fits is None:
            app, names = self.app, (None, BLUEPRINT)
            before, after = self.hooks

            def hooks(table: Any) -> list[Hook]:
                return [hook for name in names for hook in table.get(name, ())]

            self._fits = (
                app.config["SERVER_NAME"] is None
                and not app.debug and self.json.compact is not False  # `_ok`'s compact JSON
                and app.url_map.bind("").match(ROUTE, "POST") == (ENDPOINT, {})
                and hooks(app.before_request_funcs) == before
                and hooks(app.after_request_funcs) == after
                and not hooks(app.teardown_request_funcs)
                and not hooks(app.url_value_preprocessors)
                and not app.teardown_appcontext_funcs
                and not any(signal.receivers for signal in (
                    request_started, request_finished, got_request_exception,
                    request_tearing_down))
            )
        return self._fits

    async def _answer(self, scope: HTTPScope, receive: ASGIReceiveCallable,
                      send: ASGISendCallable) -> None:
        started = time.perf_counter()  # where Quart's before-request hook starts the clock
        headers = Headers([(name.decode("latin1"), value.decode("latin1"))
                           for name, value in scope["headers"]])
        host = self._host(scope, headers)
        limit = self.app.config["MAX_CONTENT_LENGTH"]
        if (host is None or header(headers, "Content-Type") != JSON
                or (content_length(headers) or 0) > limit):
            await self.quart(scope, receive, send)
            return
        body, read = await _body(receive, limit, self.app.config["BODY_TIMEOUT"])
        try:
            check_csrf(self.app.settings, "POST", ROUTE, scope["scheme"], host, headers)
            cookies = parse_cookie(";".join(headers.getlist("Cookie")))
            user = sessions.known((await sessions.signed_in(self.app.store, cookies))[1])
            data = None if body is None else parsed_fast(InteractionBatch, body)
            if data is None:  # a body only the usual path words the refusal of
                await self.quart(scope, _replaying(read, receive), send)
                return
            status, answer = 200, self._ok(await accept(self.app, user, data))
        except Exception as error:
            status, answer = await self._failure(error)
        self.app.metrics.answered("POST", ROUTE, status, started)
        await send(HTTPResponseStartEvent(type="http.response.start", status=status,
                                          headers=answer[0], trailers=False))
        await send(HTTPResponseBodyEvent(type="http.response.body", body=answer[1],
                                         more_body=False))

    def _ok(self, result: dict[str, Any]) -> tuple[list[tuple[bytes, bytes]], bytes]:
        """The answer Quart makes of the handler's dict (`app.json.response`: the app's
        encoder, compact, a newline) with the security headers, without building a Response
        (~90 µs less per answer, measured alone)."""
        body = f"{self.json.dumps(result)}\n".encode()
        return [self._content_type, (b"content-length", str(len(body)).encode()),
                *self._security], body

    async def _failure(self, error: Exception) -> tuple[int, tuple[list[tuple[bytes, bytes]],
                                                                  bytes]]:
        """Quart's answer to `error`: the app's error handler in an app context, as Quart
        calls it, then the after-request hook's security headers."""
        async with self.app.app_context():
            g.request_id = new_request_id()
            response = await handle(error)
        add_security_headers(response.headers, ROUTE, self.policy)
        return response.status_code, (encode_headers(response.headers),
                                      await response.get_data(as_text=False))

    def _host(self, scope: HTTPScope, headers: Headers) -> str | None:
        """The request's host as Quart reads it, or None for one its routing refuses (a 400);
        the last host routing took is remembered (a server answers to few)."""
        host = get_host(scope["scheme"], header(headers, "Host"), scope.get("server"))
        if host != self._routable:
            try:
                self.app.url_map.bind(host.lower())
            except BadHost:
                return None
            self._routable = host
        return host


async def _body(receive: ASGIReceiveCallable, limit: int,
                wait_s: float) -> tuple[bytes | None, list[Message]]:
    """The whole request body, or None for one over `limit` bytes, slower than `wait_s`
    seconds or cut by a disconnect; with the messages read, for Quart to read them again."""
    read: list[Message] = []
    body = bytearray()
    try:
        async with asyncio.timeout(wait_s):
            while True:
                message: Any = await receive()
                read.append(message)
                if message["type"] != "http.request":
                    return None, read
                body += message.get("body", b"")
                if len(body) > limit:
                    return None, read
                if not message.get("more_body", False):
                    return bytes(body), read
    except TimeoutError:
        return None, read


def _replaying(read: list[Message], receive: ASGIReceiveCallable) -> ASGIReceiveCallable:
    """`receive`, after the messages already read from it."""
    pending = deque(read)

    async def replayed() -> Any:
        return pending.popleft() if pending else await receive()

    return replayed
