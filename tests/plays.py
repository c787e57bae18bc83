"""Interactions as the page's outbox makes them, for tests that listen through the API."""

from __future__ import annotations

import time
import uuid
from typing import Any


def plays(
    tracks: list[dict[str, Any]],
    kind: str = "finished",
    *,
    position_ms: int | None = None,
    start_ms: int | None = None,
    step_ms: int = 1000,
) -> list[dict[str, Any]]:
    """One batch: fresh ids, in listening order `step_ms` apart (from an hour ago unless
    `start_ms`), a skip 3 s in unless `position_ms`, anything else at the track's end."""
    start = start_ms if start_ms is not None else int(time.time() * 1000) - 3_600_000
    return [
        {
            "id": str(uuid.uuid4()),
            "track_id": t["id"],
            "type": kind,
            "position_ms": (
                position_ms
                if position_ms is not None
                else 3000
                if kind == "skipped"
                else t["duration_ms"]
            ),
            "duration_ms": t["duration_ms"],
            "at": start + i * step_ms,
        }
        for i, t in enumerate(tracks)
    ]
