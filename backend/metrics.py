"""Prometheus metrics, one registry per app (tests build many apps in one process)."""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from quart import Response, g, request


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "encore_http_requests_total",
            "HTTP requests answered",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "encore_http_request_duration_seconds",
            "Time to answer, per route",
            ["method", "route"],
            registry=self.registry,
        )
        self.interactions_stored = Counter(
            "encore_interactions_stored_total",
            "Interactions durably stored (not replays)",
            registry=self.registry,
        )
        self.model_node_calls = Counter(
            "encore_model_node_calls_total",
            "Calls to model nodes by outcome (ok, timeout, error, server_error, refused,"
            " skipped: the node's circuit is open)",
            ["node", "outcome"],
            registry=self.registry,
        )
        self.model_cache_users = Gauge(
            "encore_model_cache_users",
            "User models held in this node's cache",
            registry=self.registry,
        )
        self.model_cache_bytes = Gauge(
            "encore_model_cache_bytes",
            "Approximate memory of this node's model cache",
            registry=self.registry,
        )

    def watch_cache(self, users: Callable[[], float], size: Callable[[], float]) -> None:
        self.model_cache_users.set_function(users)
        self.model_cache_bytes.set_function(size)

    def model_node_call(self, node: str, outcome: str) -> None:
        self.model_node_calls.labels(node, outcome).inc()

    async def before_request(self) -> None:
        g.request_started = time.perf_counter()

    async def after_request(self, response: Response) -> Response:
        rule = request.url_rule.rule if request.url_rule else "unmatched"
        self.answered(request.method, rule, response.status_code, g.get("request_started"))
        return response

    def answered(self, method: str, rule: str, status: int, started: float | None) -> None:
        """Count an answer and its time since `started` (Quart's hook above and the plain-ASGI
        path of `POST /api/interactions` both call this)."""
        if started is not None:
            self.latency.labels(method, rule).observe(time.perf_counter() - started)
        self.requests.labels(method, rule, str(status)).inc()

    def render(self) -> Response:
        return Response(generate_latest(self.registry), content_type="text/plain; version=0.0.4")
