"""The plain-ASGI path of `POST /api/interactions` (backend/blueprints/plain_interactions.py)
answers as Quart's path does, on both stores: the same status, headers and body for every kind
of request, the same metrics; what it does not answer itself goes to Quart, body and all.

Each case is sent twice at the ASGI level, once to the plain path and once to the Quart app
behind it, and the two answers are compared (the interaction ids and a 500's request id, which
differ per request, replaced first). Whether Quart saw the request is checked too, so a
comparison is never between Quart and itself."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from typing import Any

from backend import create_app
from backend.app_types import EncoreApp
from backend.blueprints.plain_interactions import PlainInteractions
from backend.store import StoreUnavailable
from tests.conftest import ApiClient
from tests.http1 import answered_twice
from tests.servers import EncoreProcess

from .conftest import demo, play

Headers = list[tuple[bytes, bytes]]
MIB = 1024 * 1024
PAGE = [(b"host", b"localhost"), (b"content-type", b"application/json"),
        (b"x-requested-with", b"encore")]


def plain_path(app: EncoreApp) -> PlainInteractions:
    layer: Any = app.asgi_app
    while not isinstance(layer, PlainInteractions):
        layer = layer.app  # the middleware around it (compression, a trusted proxy's rewrite)
    return layer


async def call(asgi: Any, headers: Headers, chunks: list[bytes],
               scheme: str = "http") -> tuple[int, Headers, bytes]:
    """One request as Hypercorn hands it over: the body in `chunks`, the client still there
    until the answer has been sent."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": scheme, "path": "/api/interactions",
             "raw_path": b"/api/interactions", "query_string": b"", "root_path": "",
             "headers": headers, "client": ("127.0.0.1", 50000),
             "server": ("127.0.0.1", 8000), "extensions": {}}
    messages = [{"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
                for i, chunk in enumerate(chunks)]
    answered = asyncio.Event()
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            answered.set()

    await asyncio.wait_for(asgi(scope, receive, send), 30)
    return sent[0]["status"], list(sent[0]["headers"]), b"".join(
        m.get("body", b"") for m in sent[1:])


def batch(*plays: dict[str, Any]) -> bytes:
    return json.dumps({"interactions": list(plays)}).encode()


def anonymous(body: bytes) -> bytes:
    """The answer without what differs per request: uuids, a 500's request id."""
    body = re.sub(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", b"ID", body)
    return re.sub(rb"request [0-9a-f]{16}", b"request ID", body)


class Paths:
    """The two paths of one app, and how often Quart handled a request."""

    def __init__(self, app: EncoreApp) -> None:
        self.app = app
        self.plain = plain_path(app)
        self.quart_requests = 0
        handle = app.handle_request

        async def counted(request: Any) -> Any:
            self.quart_requests += 1
            return await handle(request)

        app.handle_request = counted  # type: ignore[method-assign]

    def answered(self, status: int | None = None) -> float:
        """POST answers the metrics counted (with `status`, or all; a request routing refused
        counts as "unmatched", not as this route)."""
        return sum(sample.value for metric in self.app.metrics.requests.collect()
                   for sample in metric.samples
                   if sample.name == "encore_http_requests_total"
                   and sample.labels["method"] == "POST"
                   and (status is None or sample.labels["status"] == str(status)))

    async def compare(self, headers: Headers, body: Callable[[], list[bytes]], *,
                      plain_answers: bool, scheme: str = "http") -> tuple[int, bytes]:
        """Send the request to both paths; their answers must match. `body` is called once per
        path (fresh interaction ids each time)."""
        seen, counted = self.quart_requests, self.answered()
        plain = await call(self.plain, headers, body(), scheme)
        assert self.quart_requests - seen == (0 if plain_answers else 1)
        assert self.answered() == counted + 1
        quart = await call(self.plain.quart, headers, body(), scheme)
        assert self.answered() == counted + 2
        assert (plain[0], plain[1], anonymous(plain[2])) == (
            quart[0], quart[1], anonymous(quart[2]))
        return plain[0], plain[2]


async def session_cookie(client: ApiClient) -> bytes:
    answer = await client.post("/api/auth/signup",
                               json={"username": "ada", "password": "correct horse"})
    assert answer.status_code == 201
    return answer.headers["Set-Cookie"].split(";")[0].encode()


async def test_every_kind_of_request_is_answered_as_quart_answers_it(app, client):
    paths = Paths(app)
    signed_in = [*PAGE, (b"cookie", await session_cookie(client))]
    track = demo(1)

    def one() -> list[bytes]:
        return [batch(play(track))]

    stored = play(track)
    await call(paths.plain, signed_in, [batch(stored)])
    metric_before = paths.answered(200)
    cases: list[tuple[str, Headers, Callable[[], list[bytes]], bool, int]] = [
        ("a play", signed_in, one, True, 200),
        ("a replay", signed_in, lambda: [batch(stored)], True, 200),
        ("a batch in three pieces", signed_in,
         lambda: (lambda b: [b[:100], b[100:2000], b[2000:]])(
             batch(*(play(demo(i % 40)) for i in range(500)))), True, 200),
        ("the own origin", [*signed_in[:2], (b"origin", b"http://localhost"),
                            signed_in[3]], one, True, 200),
        ("nobody signed in", PAGE, one, True, 401),
        ("a session id nobody was given", [*PAGE, (b"cookie", b"encore_session=forged")],
         one, True, 401),
        ("no CSRF header", [h for h in signed_in if h[0] != b"x-requested-with"], one, True,
         403),
        ("a foreign origin", [*signed_in, (b"origin", b"https://evil.example")], one, True,
         403),
        ("a track nobody has", signed_in,
         lambda: [batch(play(track) | {"track_id": "demo-9999999"})], True, 422),
        ("a field out of range", signed_in, lambda: [batch(play(track) | {"position_ms": -1})],
         False, 422),
        ("a username in the body", signed_in,
         lambda: [batch(play(track) | {"username": "bob"})], False, 422),
        ("no JSON at all", signed_in, lambda: [b"{\"interactions\": [tru"], False, 400),
        ("a lone surrogate", signed_in,
         lambda: [batch(play(track)).replace(b'"finished"', b'"\\ud800"')], False, 400),
        ("another content type", [*signed_in[:1], (b"content-type", b"text/plain"),
                                  *signed_in[2:]], one, False, 422),
        ("over 1 MiB, announced", [*signed_in, (b"content-length", str(MIB + 1).encode())],
         lambda: [b" " * (MIB + 1)], False, 413),
        ("over 1 MiB in pieces, unannounced", signed_in,
         lambda: [b"[" + b" " * (MIB // 2)] * 3, False, 413),
        ("a Host no host is named", [(b"host", b"a" * 64 + b".example"), *signed_in[1:]], one,
         False, 400),
    ]
    for name, headers, body, plain_answers, status in cases:
        answer = await paths.compare(headers, body, plain_answers=plain_answers)
        assert answer[0] == status, (name, answer)
    # the plain path's plays are stored for the session's user, and counted by the metrics
    assert paths.answered(200) == metric_before + 2 * 4
    assert await app.store.count_interactions("ada") == 1 + 2 * (1 + 500 + 1)


async def test_a_store_failure_is_answered_as_quart_answers_it(app, client, monkeypatch):
    paths = Paths(app)
    signed_in = [*PAGE, (b"cookie", await session_cookie(client))]

    def one() -> list[bytes]:
        return [batch(play(demo(2)))]

    async def unavailable(*args: Any) -> Any:
        raise StoreUnavailable("the test cut it")

    monkeypatch.setattr(app.store, "put_interactions", unavailable)
    status, body = await paths.compare(signed_in, one, plain_answers=True)
    assert status == 503 and json.loads(body)["error"]["code"] == "store_unavailable"

    async def broken(*args: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(app.store, "put_interactions", broken)
    status, body = await paths.compare(signed_in, one, plain_answers=True)
    assert status == 500 and re.search(rb"request [0-9a-f]{16}", body)


async def test_behind_a_trusted_proxy_the_forwarded_origin_decides(app_config):
    """ENCORE_TRUSTED_PROXY_HOPS: the proxy's scope rewrite (scheme, Host) comes before the
    plain path, whose CSRF check follows it as Quart's does."""
    app = create_app({**app_config, "TRUSTED_PROXY_HOPS": 1})
    async with app.test_app():
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "music.example"}
        signup = await app.test_client().post(
            "/api/auth/signup", json={"username": "ada", "password": "correct horse"},
            headers={"Origin": "https://music.example", **forwarded})
        cookie = signup.headers["Set-Cookie"].split(";")[0].encode()
        assert cookie.startswith(b"__Host-encore_session=")
        paths = Paths(app)
        headers = [*PAGE[:2], (b"cookie", cookie), (b"x-forwarded-for", b"203.0.113.9"),
                   *((k.lower().encode(), v.encode()) for k, v in forwarded.items())]

        def one() -> list[bytes]:
            return [batch(play(demo(3)))]

        for origin, status in ((b"https://music.example", 200), (b"http://localhost", 403),
                               (b"https://localhost", 403)):
            answer = await call(app.asgi_app, [*headers, (b"origin", origin)], one())
            assert answer[0] == status, (origin, answer)
        assert paths.quart_requests == 0
        assert await app.store.count_interactions("ada") == 1


async def test_the_openapi_document_still_lists_the_route_with_its_schema(client):
    document = await (await client.get("/api/openapi.json")).get_json()
    body = document["paths"]["/api/interactions"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert schema["title"] == "InteractionBatch" and schema["required"] == ["interactions"]
    assert schema["properties"]["interactions"]["maxItems"] == 500


def test_a_refusal_waits_for_the_whole_body_so_the_connection_serves_the_next_request(
        tmp_path):
    """Hypercorn closes a connection whose request body was still coming when the answer went
    out, and the client's next request on it fails. A refused post (nobody signed in) is
    answered once its body is in, and the same connection then answers the next one."""
    server = EncoreProcess("serve", tmp_path / "data").start()
    try:
        statuses = answered_twice(server.port, "POST", "/api/interactions", [
            ("Content-Type", "application/json"), ("X-Requested-With", "encore")],
            batch(play(demo(5))))
        assert statuses == [401, 401]
    finally:
        server.stop()
