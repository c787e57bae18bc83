"""Replays every row of docs/bad-inputs.md against a fresh app: the doc is the test's table,
so what it promises is what the API answers. Rows noted `xfail` are known bugs."""

from __future__ import annotations

import ast
import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import pytest_asyncio

from backend import create_app
from backend.model_client import SECRET_HEADER
from tests.conftest import PAGE_HEADERS

DOC = Path(__file__).resolve().parents[2] / "docs" / "bad-inputs.md"
MODEL_SECRET = "bad-inputs-secret"
NO_INPUTS = {"GET /", "GET /healthz", "GET /metrics", "GET /api/catalog/genres"}


@dataclass(frozen=True)
class Row:
    number: int
    method: str
    target: str  # path and query, as sent
    who: str
    headers: str
    body: str
    status: int
    code: str
    note: str

    @property
    def label(self) -> str:
        return f"{self.number}-{self.method} {self.target}"


def _cell(text: str) -> str:
    return text.strip().strip("`")


def read_rows(doc: Path = DOC) -> list[Row]:
    rows = []
    for line in doc.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]  # no cell holds a "|"
        if not line.startswith("| ") or not cells[0].isdigit():
            continue
        number, request, who, headers, body, status, code, note = cells
        method, target = _cell(request).split(" ", 1)
        rows.append(
            Row(
                int(number),
                method,
                target,
                who,
                headers,
                _cell(body),
                int(status),
                _cell(code),
                note,
            )
        )
    return rows


def interaction(**overrides: Any) -> dict[str, Any]:
    item = {
        "id": str(uuid.uuid4()),
        "track_id": "demo-0001",
        "type": "finished",
        "position_ms": 60_000,
        "duration_ms": 60_000,
        "at": int(time.time() * 1000) - 60_000,
    }
    return item | overrides


def request_body(cell: str) -> dict[str, Any]:
    """The test client's keyword arguments for a body cell (see the doc's legend)."""
    if not cell:
        return {}
    if cell.startswith("bytes "):
        return {"data": ast.literal_eval(cell.removeprefix("bytes "))}
    if cell.startswith("interaction "):
        overrides = json.loads(cell.removeprefix("interaction "))
        return {"json": {"interactions": [interaction(**overrides)]}}
    if cell == "501 interactions":
        return {"json": {"interactions": [interaction() for _ in range(501)]}}
    if cell == "2 MiB string":
        return {"json": {"username": "a" * 2 * 1024 * 1024, "password": "long enough"}}
    return {"json": json.loads(cell)}


def request_headers(row: Row) -> dict[str, str]:
    headers = dict(PAGE_HEADERS)
    if row.who == "model node":
        headers[SECRET_HEADER] = MODEL_SECRET
    for part in filter(None, (p.strip() for p in _cell(row.headers).split(";"))):
        if part.startswith("no "):
            headers.pop(part.removeprefix("no "), None)
        else:
            name, value = part.split(":", 1)
            headers[name.strip()] = value.strip()
    if row.body.startswith("bytes "):
        headers.setdefault("Content-Type", "application/json")
    return headers


ROWS = read_rows()


def test_the_table_is_read_and_numbered_in_order():
    assert len(ROWS) >= 80
    assert [r.number for r in ROWS] == list(range(1, len(ROWS) + 1))
    assert all(r.who in ("anon", "ada", "model node") for r in ROWS)
    requests = [(r.method, r.target, r.who, r.headers, r.body) for r in ROWS]
    assert [r.label for r, q in zip(ROWS, requests, strict=True) if requests.count(q) > 1] == []


async def test_every_operation_of_the_api_has_a_row(app):
    """A new route without a bad input in the table fails here."""
    document = await (await app.test_client().get("/api/openapi.json")).get_json()
    missing = []
    for path, operations in document["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        for method in operations:
            label = f"{method.upper()} {path}"
            tried = any(
                r.method == method.upper() and pattern.match(urlsplit(r.target).path) for r in ROWS
            )
            if not tried and label not in NO_INPUTS:
                missing.append(label)
    assert not missing, f"no bad input in docs/bad-inputs.md for: {missing}"


CONFIG = {
    "TESTING": True,
    "MODEL_SECRET": MODEL_SECRET,
    "SPOTIFY_CLIENT_ID": "bad-inputs-client",  # configured, never reached
    "SPOTIFY_ACCOUNTS_URL": "http://127.0.0.1:9",
    "SPOTIFY_API_URL": "http://127.0.0.1:9/v1",
}


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    return {**CONFIG, "DATA_DIR": tmp_path / "data"}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Any, Any]]:
    """One app for all rows (none of them changes anything), and ada signed in on it."""
    app = create_app({**CONFIG, "DATA_DIR": tmp_path_factory.mktemp("bad-inputs")})
    async with app.test_app():
        ada = app.test_client()
        signup = await ada.post(
            "/api/auth/signup",
            json={"username": "ada", "password": "correct horse"},
            headers=PAGE_HEADERS,
        )
        assert signup.status_code == 201
        yield app, ada


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(
    "row",
    [
        pytest.param(
            row,
            id=row.label,
            marks=[pytest.mark.xfail(strict=True, reason=row.note)]
            if row.note.startswith("xfail")
            else [],
        )
        for row in ROWS
    ],
)
async def test_bad_input_gets_the_listed_answer(shared, row: Row):
    app, ada = shared
    client = ada if row.who == "ada" else app.test_client()
    response = await client.open(
        row.target, method=row.method, headers=request_headers(row), **request_body(row.body)
    )
    text = await response.get_data(as_text=True)
    assert (response.status_code, response.content_type) == (row.status, "application/json"), text
    error = json.loads(text)["error"]
    assert error["code"] == row.code and error["message"], text
    assert set(error) == {"code", "message"}
