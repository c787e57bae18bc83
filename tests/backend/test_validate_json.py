"""`validate_json` (POST /api/interactions' body, parsed in Rust first) answers every body as
quart-schema's `validate_request` does: the same model for a good body, the same status and
JSON error message for a bad one."""

from __future__ import annotations

import json
import uuid
from typing import Any

from quart import Blueprint
from quart_schema import validate_request

from backend import create_app
from backend.inputs import validate_json
from backend.interactions import InteractionBatch

GOOD = {"id": str(uuid.uuid4()), "track_id": "demo-0001", "type": "finished",
        "position_ms": 1000, "duration_ms": 2000, "at": 1_700_000_000_000}


def _body(**change: Any) -> bytes:
    return json.dumps({"interactions": [GOOD | change]}).encode()


BODIES: list[tuple[bytes, str]] = [
    (_body(), "application/json"),
    (_body(track_id="caf\u00e9 \U0001f600"), "application/json"),
    (_body() + b"  \n", "application/json"),
    (_body(track_id="\ud800"), "application/json"),  # a lone surrogate, as JSON escapes it
    (_body(track_id="a").replace(b'"a"', b'"\\udc00"'), "application/json"),
    (_body(track_id="a").replace(b'"a"', b'"\xed\xa0\x80"'), "application/json"),
    (_body(track_id="a").replace(b'"a"', b'"\xff"'), "application/json"),
    (_body().replace(b"1700000000000", b"NaN"), "application/json"),
    (_body().replace(b"1700000000000", b"1" + b"0" * 40), "application/json"),
    (_body().replace(b"1700000000000", b"1700000000000.0"), "application/json"),
    (_body() + b"x", "application/json"),
    (b"\xef\xbb\xbf" + _body(), "application/json"),
    (b"[" * 40 + b"]" * 40, "application/json"),
    (_body(position_ms=9_000), "application/json"),  # past the end (the model's own check)
    (_body(type="paused"), "application/json"),
    (_body(extra=1), "application/json"),
    (_body(at="1700000000000"), "application/json"),
    (json.dumps({"interactions": []}).encode(), "application/json"),
    (b"", "application/json"),
    (b"not json", "application/json"),
    (_body(), "text/plain"),
]


async def test_every_body_is_answered_as_validate_request_answers_it():
    app = create_app({"TESTING": True})
    bp = Blueprint("both", __name__)

    async def echo(data: InteractionBatch) -> dict[str, Any]:
        return data.model_dump()

    bp.post("/fast", endpoint="fast")(validate_json(InteractionBatch)(echo))
    bp.post("/usual", endpoint="usual")(validate_request(InteractionBatch)(echo))
    app.register_blueprint(bp)
    accepted = 0
    async with app.test_app():
        client = app.test_client()
        for body, kind in BODIES:
            answers = []
            for path in ("/fast", "/usual"):
                response = await client.post(path, data=body, headers={
                    "Content-Type": kind, "X-Requested-With": "encore"})
                answers.append((response.status_code, await response.get_json()))
            assert answers[0] == answers[1], body
            if answers[0][0] != 200:
                assert set(answers[0][1]["error"]) == {"code", "message"}
            accepted += answers[0][0] == 200
    assert accepted == 3  # the three good bodies; every other one is refused alike
