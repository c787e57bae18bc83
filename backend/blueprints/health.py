"""Liveness and metrics for load balancers and Prometheus."""

from __future__ import annotations

from quart import Blueprint, Response, jsonify

from ..app_types import app
from ..config import VERSION
from ..store import StoreUnavailable

bp = Blueprint("health", __name__)


@bp.get("/healthz")
async def healthz() -> Response:
    try:
        await app().store.ping()
        store_ok = True
    except StoreUnavailable:
        store_ok = False
    body = {
        "status": "ok" if store_ok else "degraded",
        "version": VERSION,
        "store": {"kind": app().settings.store, "reachable": store_ok},
    }
    response = jsonify(body)
    response.status_code = 200 if store_ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/metrics")
async def metrics() -> Response:
    return app().metrics.render()
