"""Hostile values in every input of every operation (issue 9: no 5xx for any input).

Each class of hostile value (lone surrogate, NUL, control character, non-ASCII digits, a number
of 4,301 digits, 10^20, 256 characters, 1,000 levels of nesting) goes into each JSON body field
(nested ones too), each query parameter and each path parameter of every operation in
/api/openapi.json, one at a time, in an otherwise valid request; on SQLite and on DynamoDB.
No answer may be a 5xx, every error is DESIGN.md's JSON body, both stores answer alike, and
docs/bad-inputs.md's table is what they answered (generated, see generated_docs.py). A
hypothesis pass then puts random hostile JSON into random inputs, another ids of any size
(empty, past DynamoDB's key limits) into every input on both stores, and two more send
generated Host headers and conditional dates to a real server, raw, as a client may."""

from __future__ import annotations

import functools
import itertools
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.model_client import SECRET_HEADER
from tests.conftest import PAGE_HEADERS
from tests.dynalite import dynalite_server, store_settings  # noqa: F401
from tests.hostile import (
    HOSTILE_DATES,
    HOSTILE_ETAGS,
    HOSTILE_HOSTS,
    OUTSIZED_IDS,
    hostile_json,
)
from tests.security.generated_docs import check_or_write, table
from tests.security.hostile_requests import (
    CLASSES,
    NO_INPUT,
    Base,
    body_paths,
    json_text,
    known_bases,
    raw_exchange,
    schema_base,
    target,
    with_value,
)
from tests.servers import EncoreProcess

MODEL_SECRET = "hostile-inputs-secret"
_requests = itertools.count(1)


@pytest.fixture(params=["sqlite", "dynamodb"])
def app_config(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    config: dict[str, Any] = {"TESTING": True, "DATA_DIR": tmp_path / "data",
                              "MODEL_SECRET": MODEL_SECRET, "SPOTIFY_CLIENT_ID": "hostile",
                              "SPOTIFY_ACCOUNTS_URL": "http://127.0.0.1:9",
                              "SPOTIFY_API_URL": "http://127.0.0.1:9/v1"}
    return config | store_settings(request)


class Sender:
    """Sends as the page would: ada's cookie (or none), the CSRF header, the model secret;
    every request from its own client address, so login throttling never decides the answer."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.ada = app.test_client()

    async def sign_up_ada(self) -> None:
        answer = await self.ada.post("/api/auth/signup", headers=PAGE_HEADERS,
                                     json={"username": "ada", "password": "correct horse"})
        assert answer.status_code == 201

    async def send(self, method: str, url: str, who: str, body: bytes | None,
                   headers: dict[str, str] | None = None) -> str:
        n = next(_requests)
        client = self.ada if who == "ada" else self.app.test_client()
        sent = {**PAGE_HEADERS, **(headers or {})}
        if who == "model":
            sent[SECRET_HEADER] = MODEL_SECRET
        if body is not None:
            sent["Content-Type"] = "application/json"
        answer = await client.open(url, method=method, headers=sent, data=body,
                                   scope_base={"client": (f"10.{n >> 16 & 255}.{n >> 8 & 255}."
                                                          f"{n & 255}", 40000)})
        raw = await answer.get_data()
        text = raw.decode("utf-8", "replace")
        assert answer.status_code < 500, f"{method} {url[:200]}: {answer.status_code} {text}"
        if answer.status_code < 400:
            return str(answer.status_code)
        assert answer.content_type == "application/json", (url[:200], text[:300])
        error = json.loads(text)["error"]
        assert set(error) == {"code", "message"} and error["message"], text
        return f"{answer.status_code} {error['code']}"


async def _operations(app: Any) -> list[tuple[str, str, str, Base]]:
    document = await (await app.test_client().get("/api/openapi.json")).get_json()
    components = document.get("components", {}).get("schemas", {})
    found = []
    for path, operations in sorted(document["paths"].items()):
        for method, operation in sorted(operations.items()):
            label = f"{method.upper()} {path}"
            if label in NO_INPUT:
                continue
            base = known_bases("x").get(label) or schema_base(operation, components)
            found.append((label, method.upper(), path, base))
    return found


async def hostile_matrix(app: Any) -> dict[tuple[str, str], dict[str, set[str]]]:
    """(operation, where) -> class -> the answers seen over that operation's inputs there."""
    sender = Sender(app)
    await sender.sign_up_ada()
    seen: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for label, method, path, base in await _operations(app):
        def fresh(label: str = label, base: Base = base) -> Base:
            return known_bases(f"hostile{next(_requests)}").get(label) or base
        for name, value, text in CLASSES:
            if base.body is not None:
                for where in list(body_paths(base.body)):
                    request = fresh()
                    body = json_text(with_value(request.body, where, value))
                    url = target(path, request.path, request.query)
                    seen[(label, "body")][name].add(
                        await sender.send(method, url, request.who, body))
            for param in base.query:
                request = fresh()
                url = target(path, request.path, {**request.query, param: text})
                seen[(label, "query")][name].add(await sender.send(method, url, request.who, None))
            for param, good in base.path.items():
                request = fresh()
                suffix = good[good.rfind("."):] if "." in good else ""
                url = target(path, {**request.path, param: text + suffix}, request.query)
                seen[(label, "path")][name].add(await sender.send(method, url, request.who, None))
    return seen


HEADER_CASES = [  # (what, method, path, who, headers)
    ("Range: bytes=<4,301 digits>-", "GET", "/api/tracks/demo-0001/audio", "anon",
     {"Range": "bytes=" + "9" * 4301 + "-"}),
    ("Range: bytes=-<4,301 digits>", "GET", "/api/tracks/demo-0001/audio", "anon",
     {"Range": "bytes=-" + "9" * 4301}),
    ("Range: bytes=²-5", "GET", "/api/tracks/demo-0001/audio", "anon", {"Range": "bytes=²-5"}),
    ("Range: bytes=0-<30 digits>", "GET", "/api/tracks/demo-0001/audio", "anon",
     {"Range": "bytes=0-" + "9" * 30}),
    ("Cookie: encore_session=<4,301 characters>", "GET", "/api/me", "anon",
     {"Cookie": "encore_session=" + "a" * 4301}),
    ("X-Encore-Model-Secret: ü (not ASCII)", "POST", "/model/subscribe", "anon",
     {SECRET_HEADER: "ü"}),
]


async def test_hostile_values_in_every_input_never_fail_and_are_documented(app) -> None:
    seen = await hostile_matrix(app)
    for (label, where), by_class in seen.items():
        if where == "body":  # refused when the body is read, whatever the field
            for name in ("lone surrogate", "4,301 digits", "1,000 levels deep"):
                assert by_class[name] == {"400 bad_request"}, (label, name, by_class[name])
    rows = [[f"`{label}`", where] + [" / ".join(sorted(by_class[name])) for name, _, _ in CLASSES]
            for (label, where), by_class in sorted(seen.items())]
    check_or_write("hostile-inputs",
                   table(["operation", "input", *[name for name, _, _ in CLASSES]], rows))

    sender = Sender(app)
    header_rows = []
    for what, method, path, who, headers in HEADER_CASES:
        header_rows.append([f"`{method} {path}`", what,
                            await sender.send(method, path, who, None, headers)])
    check_or_write("hostile-headers", table(["request", "header", "answer"], header_rows))


async def test_a_whole_body_nested_100000_deep_is_a_400_on_every_json_operation(app) -> None:
    sender = Sender(app)
    await sender.sign_up_ada()
    deep = b"[" * 100_000 + b"]" * 100_000
    json_operations = [(m, p, b) for _, m, p, b in await _operations(app) if b.body is not None]
    assert len(json_operations) >= 6
    for method, path, base in json_operations:
        url = target(path, base.path, base.query)
        assert await sender.send(method, url, base.who, deep) == "400 bad_request", path


@pytest.mark.parametrize("app_config", ["sqlite"], indirect=True)
async def test_random_hostile_json_in_random_inputs_never_fails(app) -> None:
    sender = Sender(app)
    await sender.sign_up_ada()
    operations = [o for o in await _operations(app) if o[3].body is not None]
    choices = [(o, where) for o in operations for where in body_paths(o[3].body)]
    examples: list[tuple[str, str, str, bytes]] = []

    @settings(max_examples=300, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(pick=st.sampled_from(choices), value=hostile_json())
    def collect(pick: Any, value: Any) -> None:
        (label, method, path, base), where = pick
        request = known_bases(f"random{next(_requests)}").get(label) or base
        examples.append((method, target(path, request.path, request.query), request.who,
                         json_text(with_value(request.body, where, value))))

    collect()  # hypothesis draws synchronously; the requests go out on the test's loop
    for method, url, who, body in examples:
        await sender.send(method, url, who, body)


async def test_ids_of_any_size_in_every_input_are_answered_never_a_failure(app) -> None:
    """DynamoDB refuses a lookup by an empty key or one over its key size limits (2,048 bytes
    hash, 1,024 range) where SQLite finds nothing: every path parameter, query parameter and
    body field gets generated ids of such sizes, six each, on both stores."""
    sender = Sender(app)
    await sender.sign_up_ada()
    inputs = []  # (operation, kind, where)
    for operation in await _operations(app):
        base = operation[3]
        inputs += [(operation, "body", where) for where in body_paths(base.body or {})]
        inputs += [(operation, "query", name) for name in base.query]
        inputs += [(operation, "path", name) for name in base.path]
    examples: list[tuple[str, str, str, bytes | None]] = []

    @settings(max_examples=6, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(values=st.lists(OUTSIZED_IDS, min_size=len(inputs), max_size=len(inputs)))
    def collect(values: list[str]) -> None:
        for ((label, method, path, base), kind, where), value in zip(inputs, values, strict=True):
            request = known_bases(f"ids{next(_requests)}").get(label) or base
            body = None if request.body is None else json_text(request.body)
            path_values, query = dict(request.path), dict(request.query)
            if kind == "body":
                body = json_text(with_value(request.body, where, value))
            elif kind == "query":
                query[where] = value
            else:
                good = request.path[where]
                path_values[where] = value + (good[good.rfind("."):] if "." in good else "")
            examples.append((method, target(path, path_values, query), request.who, body))

    collect()
    assert len(examples) >= 6 * 40
    for method, url, who, body in examples:
        await sender.send(method, url, who, body)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EncoreProcess]:
    process = EncoreProcess("serve", tmp_path_factory.mktemp("hostile-headers")).start()
    try:
        yield process
    finally:
        process.stop()
    assert "Traceback" not in process.log.read_text(), process.log.read_text()[-3000:]


HEADER_TARGETS = ["/index.html", "/sw.js", "/assets/nothing.js", "/api/tracks/demo-0001/audio",
                  "/api/tracks/nothing/audio", "/api/catalog/genres", "/api/me", "/healthz"]
DATE_HEADERS = ["If-Modified-Since", "If-Unmodified-Since", "If-Range"]


def _for_each(strategy: st.SearchStrategy[Any], examples: int, check: Any) -> None:
    """`check(value)` for `examples` values hypothesis draws (shrunk to the simplest failing)."""
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(value=strategy)
    def run(value: Any) -> None:
        check(value)

    run()


def _exchange(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    """Status and headers of a raw GET; a 5xx, or an error that is not DESIGN.md's JSON,
    fails."""
    lines = [f"GET {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items()),
             "Connection: close"]
    data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    status, head, body = raw_exchange(port, data)
    assert status < 500, (path, headers, status, body[:300])
    if status >= 400:
        assert head.get("content-type") == "application/json", (path, headers, status, body[:300])
        error = json.loads(body)["error"]
        assert set(error) == {"code", "message"} and error["message"], body
    return status, head


def _answer(port: int, path: str, headers: dict[str, str]) -> int:
    return _exchange(port, path, headers)[0]


def _host_check(port: int, path: str, usual: int, host: str) -> None:
    assert _answer(port, path, {"Host": host}) in (usual, 400), (path, host)


def test_any_host_header_is_answered_as_usual_or_refused_as_json(server: EncoreProcess) -> None:
    """40 generated Host values on each of the static files, audio and API answers."""
    for path in HEADER_TARGETS:
        usual = _answer(server.port, path, {"Host": "127.0.0.1"})
        _for_each(HOSTILE_HOSTS, 40, functools.partial(_host_check, server.port, path, usual))


def _condition_check(port: int, path: str, name: str, usual: tuple[int, str | None],
                     drawn: tuple[str, bool]) -> None:
    value, ranged = drawn
    headers = {"Host": "127.0.0.1", name: value, **({"Range": "bytes=0-9"} if ranged else {})}
    status = _answer(port, path, headers)
    expected = {usual[0], 206, 304, 412}
    if name == "If-Match" and (value.strip() == "*" or value == usual[1]):
        expected = {usual[0], 206}  # the file exists and is that version: the condition holds
    assert status in expected, (headers, status)


def test_any_conditional_header_is_answered_as_usual_or_as_its_condition(
        server: EncoreProcess) -> None:
    """20 generated values in each conditional header of each answer. A date that cannot be
    read is ignored (RFC 9110 13.1.3); one that can is a 304 when its condition says so, or,
    in If-Range, the whole file instead of the range. `If-Match: *` or the file's own ETag
    gets the file; another tag a JSON 412."""
    for path in HEADER_TARGETS:
        status, head = _exchange(server.port, path, {"Host": "127.0.0.1"})
        etag = head.get("etag")
        etags = HOSTILE_ETAGS | st.just(etag) if etag else HOSTILE_ETAGS
        for name, values in [*((name, HOSTILE_DATES) for name in DATE_HEADERS),
                             ("If-Match", etags), ("If-None-Match", etags)]:
            _for_each(st.tuples(values, st.booleans()), 20, functools.partial(
                _condition_check, server.port, path, name, (status, etag)))


def test_query_parameters_are_read_only_through_declared_schemas() -> None:
    """`request.args` read by hand is invisible to OpenAPI and so to the fuzzers: every query
    parameter goes through quart-schema's validate_querystring."""
    backend = Path(__file__).resolve().parents[2] / "backend"
    readers = [str(p.relative_to(backend)) for p in backend.rglob("*.py")
               if "request.args" in p.read_text()]
    assert readers == [], f"declare these query parameters with validate_querystring: {readers}"
