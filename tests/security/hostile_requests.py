"""Requests that put one hostile value into one input of an otherwise valid request, for every
input of every operation in /api/openapi.json: each JSON body field (nested ones included),
each query parameter, each path parameter. The classes of hostile value are the six root
causes of issue 9's 500s and their kin; `tests/security/test_hostile_inputs.py` sends them."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from backend.catalog.demo import demo_catalog

HUGE = "__a number of 4,301 digits__"  # int() and json refuse more than 4,300 digits
DEEP = "__1,000 levels of arrays__"  # written out by json_text (json.dumps would recurse)

# (class, as a JSON value, as query/path text already percent-encoded)
CLASSES: list[tuple[str, Any, str]] = [
    ("lone surrogate", "a\ud800b", "a%ED%A0%80b"),
    ("NUL", "a\x00b", "a%00b"),
    ("control character", "a\x1b[31mb", "a%1B%5B31mb"),
    ("non-ASCII digits", "²³", "%C2%B2%C2%B3"),
    ("4,301 digits", HUGE, "9" * 4301),
    ("10^20", 10**20, "1" + "0" * 20),
    ("256 characters", "a" * 256, "a" * 256),
    ("1,000 levels deep", DEEP, "%5B" * 1000),
]
NO_INPUT = {"GET /", "GET /healthz", "GET /metrics", "GET /api/catalog/genres", "GET /api/me",
            "GET /api/model", "GET /api/spotify/token", "GET /auth/spotify/login",
            "POST /api/auth/logout", "POST /api/spotify/disconnect"}


def play() -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "track_id": "demo-0001", "type": "finished",
            "position_ms": 60_000, "duration_ms": 60_000, "at": int(time.time() * 1000) - 60_000}


@dataclass
class Base:
    """A valid request of one operation: concrete path parameters, query and JSON body."""

    path: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    who: str = "ada"  # ada (signed in) | anon | model (the model API's secret)


def known_bases(username: str) -> dict[str, Base]:
    track = demo_catalog()[0]
    return {
        "POST /api/auth/signup": Base(body={"username": username, "password": "long enough",
                                            "display_name": "Ada"}, who="anon"),
        "POST /api/auth/login": Base(body={"username": "ada", "password": "correct horse"},
                                     who="anon"),
        "PATCH /api/me/settings": Base(body={"favorite_genres": ["jazz"], "exploration": 0.5,
                                             "skip_threshold_unit": "seconds",
                                             "skip_threshold_value": 30,
                                             "allow_explicit": True}),
        "POST /api/interactions": Base(body={"interactions": [play()]}),
        "GET /api/interactions": Base(query={"limit": "5", "cursor": ""}),
        "GET /api/feed": Base(query={"limit": "5", "pool": "20", "refresh": "1",
                                     "source": "demo"}),
        "GET /auth/spotify/callback": Base(query={"state": "s", "code": "c", "error": ""}),
        "GET /api/demo/covers/{album_id}.svg": Base(path={"album_id": "x"}, who="anon"),
        "GET /api/tracks/{track_id}/audio": Base(path={"track_id": "demo-0001"}, who="anon"),
        "GET /{name}": Base(path={"name": "index.html"}, who="anon"),
        "GET /{folder}/{relative}": Base(path={"folder": "assets", "relative": "a.js"},
                                         who="anon"),
        "POST /model/subscribe": Base(body={"username": "ada"}, who="model"),
        "POST /model/receive-info": Base(body={"username": "ada", "interactions": [play()]},
                                         who="model"),
        "POST /model/suggest": Base(body={"username": "ada", "candidates": [track], "limit": 5},
                                    who="model"),
    }


def _placeholder(schema: dict[str, Any]) -> Any:
    kind = schema.get("type") or next((s.get("type") for s in schema.get("anyOf", [])
                                       if s.get("type") != "null"), "string")
    return {"string": "x", "integer": 1, "number": 1, "boolean": True, "array": [],
            "object": {}}.get(kind, "x")


def schema_base(operation: dict[str, Any], components: dict[str, Any]) -> Base:
    """A request for an operation this file does not know yet, from its description alone:
    the required body fields with placeholder values, every parameter set to "x"."""
    base = Base()
    for parameter in operation.get("parameters", []):
        where = base.path if parameter["in"] == "path" else base.query
        if parameter["in"] in ("path", "query"):
            where[parameter["name"]] = "x"
    schema = (operation.get("requestBody", {}).get("content", {})
              .get("application/json", {}).get("schema"))
    if schema is not None:
        if "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[1]]
        properties = schema.get("properties", {})
        base.body = {name: _placeholder(properties[name]) for name in schema.get("required", [])}
    return base


def body_paths(value: Any, prefix: tuple[Any, ...] = (), depth: int = 4) -> Iterator[tuple]:
    """Every place in a JSON body a value can go: each key and list item, nested ones too."""
    if depth == 0:
        return
    items = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else ()
    for key, child in items:
        yield (*prefix, key)
        yield from body_paths(child, (*prefix, key), depth - 1)


def with_value(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(body))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


def json_text(body: Any) -> bytes:
    """JSON as a careless client writes it: lone surrogates as \\u escapes, the HUGE marker
    as a 4,301-digit number and DEEP as 1,000 nested arrays (which Python would not write)."""
    text = json.dumps(body, ensure_ascii=True)
    text = text.replace(json.dumps(DEEP), "[" * 1000 + "1" + "]" * 1000)
    return text.replace(json.dumps(HUGE), "9" * 4301).encode()


def target(template: str, path: dict[str, str], query: dict[str, str]) -> str:
    url = template
    for name, value in path.items():
        url = url.replace("{" + name + "}", value if "%" in value else quote(value, safe=""))
    if query:
        url += "?" + "&".join(f"{k}={v if '%' in v else quote(v, safe='')}"
                              for k, v in query.items())
    return url


def raw_exchange(port: int, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes to a real server on 127.0.0.1 (anything a careless client may put on the
    wire) and read until it closes the connection (send `Connection: close`); the status,
    headers (names lower-cased) and body (de-chunked) of its answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        conn.sendall(data)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
    if headers.get("transfer-encoding") == "chunked":
        chunks, rest = [], body
        while (size := int(rest.split(b"\r\n", 1)[0], 16)) > 0:
            start = rest.index(b"\r\n") + 2
            chunks.append(rest[start:start + size])
            rest = rest[start + size + 2:]
        body = b"".join(chunks)
    return int(lines[0].split()[1]), headers, body
