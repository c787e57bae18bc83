"""Switches for the end-to-end tests (only with ENCORE_TEST_HOOKS=1, never in production)."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, request

from ..app_types import app

bp = Blueprint("testing", __name__, url_prefix="/__test__")


@bp.post("/faults")
async def set_faults() -> dict[str, Any]:
    """Body such as {"interactions_status": 500}; {"interactions_status": null} clears it."""
    body = await request.get_json(silent=True) or {}
    for key, value in body.items():
        if value is None:
            app().faults.pop(key, None)
        else:
            app().faults[key] = value
    return dict(app().faults)
