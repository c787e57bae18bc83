"""An HTTP proxy in front of a real Subsonic server (Supysonic) for the tests: it records every
API call Encore makes (`calls`: method and parameters), and can rewrite the JSON answers to play
a server that leaves a field out (`drop`: keys removed from every object of every answer). It
counts the calls at the server at once (`most_at_once`, and `most_at_once_of` each method);
`delay` holds each call that long, so calls sent together are seen together, and `hold()` holds
them all (`hold(method, ...)`: those of some methods) until `release()`.
`fail(method)` plays a hiccup: the next calls of that method are answered HTTP 502, as a proxy
answers when the server behind it does not."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

_HOP_BY_HOP = {"connection", "content-length", "content-encoding", "transfer-encoding",
               "keep-alive"}


class SubsonicProxy:
    def __init__(self, target: str, drop: frozenset[str] = frozenset(),
                 delay: float = 0.0) -> None:
        self.target = target.rstrip("/")
        self.drop = drop
        self.delay = delay
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.at_once = self.most_at_once = 0
        self.at_once_of: Counter[str] = Counter()  # the same, method by method
        self.most_at_once_of: Counter[str] = Counter()
        self.failing: dict[str, int] = {}  # method -> how many of its next calls answer 502
        self.lock = threading.Lock()
        self.open = threading.Event()  # cleared: calls wait at the proxy (`hold`)
        self.open.set()
        self.held: frozenset[str] = frozenset()  # the methods `hold` holds (empty: all)
        self.upstream = httpx.Client(timeout=30)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                proxy._forward(self)

            def do_POST(self) -> None:  # noqa: N802
                proxy._forward(self)

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def calls_of(self, method: str) -> list[dict[str, str]]:
        """The parameters of each `method` call that reached the server."""
        with self.lock:
            return [sent for name, sent in self.calls if name == method]

    def count(self, method: str, **params: str) -> int:
        """How many `method` calls reached the server (with these parameters, when given)."""
        return sum(1 for sent in self.calls_of(method)
                   if all(sent.get(k) == v for k, v in params.items()))

    def hold(self, *methods: str) -> None:
        """Calls (of `methods`, or all) reach the proxy (counted in `at_once`) and wait there
        until `release()`."""
        self.held = frozenset(methods)
        self.open.clear()

    def release(self) -> None:
        self.open.set()

    def fail(self, method: str, times: int = 1) -> None:
        """The next `times` calls of `method` answer HTTP 502 (they are counted in `calls`)."""
        with self.lock:
            self.failing[method] = times

    def _forward(self, handler: BaseHTTPRequestHandler) -> None:
        size = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(size) if size else b""
        parts = urlsplit(handler.path)
        sent = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if handler.headers.get("Content-Type", "").startswith("application/x-www-form"):
            sent.update({k: v[-1] for k, v in parse_qs(body.decode()).items()})
        method = parts.path.rsplit("/", 1)[-1].removesuffix(".view")
        with self.lock:
            self.calls.append((method, sent))
            failing = self.failing.get(method, 0) > 0
            if failing:
                self.failing[method] -= 1
            else:
                self.at_once += 1
                self.at_once_of[method] += 1
            self.most_at_once = max(self.most_at_once, self.at_once)
            self.most_at_once_of[method] = max(self.most_at_once_of[method],
                                               self.at_once_of[method])
        if failing:
            self._answer(handler, 502, {"Content-Type": "text/html"},
                         b"<html><body>Bad Gateway</body></html>")
            return
        headers = {k: v for k, v in handler.headers.items()
                   if k.lower() not in _HOP_BY_HOP | {"host"}}
        try:
            if not self.held or method in self.held:
                self.open.wait(60)
            time.sleep(self.delay)
            answer = self.upstream.request(handler.command, self.target + handler.path,
                                           headers=headers, content=body)
        finally:
            with self.lock:
                self.at_once -= 1
                self.at_once_of[method] -= 1
        content = answer.content
        if self.drop and answer.headers.get("content-type", "").startswith("application/json"):
            content = json.dumps(_without(answer.json(), self.drop)).encode()
        self._answer(handler, answer.status_code, answer.headers, content)

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, status: int, headers: Any,
                content: bytes) -> None:
        handler.send_response(status)
        for key, value in headers.items():
            if key.lower() not in _HOP_BY_HOP:
                handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(content)))
        handler.end_headers()
        handler.wfile.write(content)

    def close(self) -> None:
        self.open.set()
        self.http.shutdown()
        self.http.server_close()
        self.upstream.close()


def _without(value: Any, drop: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: _without(v, drop) for k, v in value.items() if k not in drop}
    if isinstance(value, list):
        return [_without(v, drop) for v in value]
    return value
