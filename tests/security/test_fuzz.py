"""Fuzz the HTTP API from its own OpenAPI description (schemathesis) against a real server
process, on both stores (SQLite; DynamoDB on dynalite): no answer is a 5xx, and every 4xx is
DESIGN.md's JSON error body.

Two passes: signed in (session cookie + the page's CSRF header + the model API's secret), and
signed out (every user or model endpoint must then answer a JSON 401). Sign-up, login and
logout are always sent without the cookie: they start or end sessions, and would otherwise
end the one the signed-in pass runs on.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.dynalite import Dynalite, dynalite_server  # noqa: F401
from tests.servers import EncoreProcess

MODEL_SECRET = "fuzz-model-secret"
SECRET_HEADER = "X-Encore-Model-Secret"
PAGE_HEADERS = {"X-Requested-With": "encore"}
USER = {"username": "fuzzer", "password": "fuzzer password"}

SIGNED_OUT_OK = {  # public operations: anything but a 401 is fine for them
    "/",
    "/{name}",
    "/{folder}/{relative}",
    "/healthz",
    "/metrics",
    "/api/catalog/genres",
    "/api/demo/covers/{album_id}.svg",
    "/api/tracks/{track_id}/audio",
    "/api/auth/signup",
    "/api/auth/login",
    "/api/auth/logout",
}
_prefixes = itertools.count()
FUZZ_SETTINGS = settings(
    deadline=None,
    derandomize=True,  # the same cases on every run: a failure here is reproducible
    database=None,  # no .hypothesis folder in the repo
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module", params=["sqlite", "dynamodb"])
def server(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[EncoreProcess]:
    data: Path = tmp_path_factory.mktemp("fuzz")
    env = {
        "ENCORE_MODEL_SECRET": MODEL_SECRET,
        # Spotify "configured" (so its routes answer as in production, not 503), but never
        # reached: no fuzzed request can carry a valid OAuth state, so no code is exchanged.
        "ENCORE_SPOTIFY_CLIENT_ID": "fuzz-client",
        "ENCORE_SPOTIFY_ACCOUNTS_URL": "http://127.0.0.1:9",
        "ENCORE_SPOTIFY_API_URL": "http://127.0.0.1:9/v1",
    }
    if request.param == "dynamodb":
        dynalite: Dynalite = request.getfixturevalue("dynalite_server")
        env |= {"ENCORE_STORE": "dynamodb", "ENCORE_DYNAMODB_ENDPOINT": dynalite.endpoint_url,
                "ENCORE_DYNAMODB_TABLE_PREFIX": f"fuzz{next(_prefixes)}_"}
    process = EncoreProcess("serve", data, env).start()
    try:
        yield process
    finally:
        process.stop()
    log = process.log.read_text()
    assert "Traceback" not in log, f"the server logged an unhandled error: {log[-3000:]}"


@pytest.fixture(scope="module")
def session_cookie(server: EncoreProcess) -> dict[str, str]:
    answer = httpx.post(f"{server.url}/api/auth/signup", json=USER, headers=PAGE_HEADERS)
    assert answer.status_code == 201, answer.text
    return {"encore_session": answer.cookies["encore_session"]}


@pytest.fixture(scope="module")
def api_schema(server: EncoreProcess) -> Any:
    raw = httpx.get(f"{server.url}/api/openapi.json").json()
    schema = schemathesis.openapi.from_dict(raw)
    schema.config.update(base_url=server.url)
    return schema


def error_body_is_json(ctx: Any, response: Any, case: Any) -> None:
    """Every 4xx/5xx is {"error": {"code": str, "message": str}} served as JSON."""
    if response.status_code < 400:
        return
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), f"error as {content_type!r}"
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict) and set(error) == {"code", "message"}, body
    assert isinstance(error["code"], str) and isinstance(error["message"], str), body
    assert "Traceback" not in error["message"]


def signed_out_is_401(ctx: Any, response: Any, case: Any) -> None:
    if case.operation.path not in SIGNED_OUT_OK:
        assert response.status_code == 401, f"{case.operation.label}: {response.status_code}"


CHECKS = [not_a_server_error, error_body_is_json]


def fuzz_operation(operation: Any, call: Callable[[Any], Any], examples: int) -> Counter[int]:
    """Send `examples` generated cases (valid and schema-violating); the statuses seen."""
    seen = Counter[int]()
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=strategy)
    @settings(FUZZ_SETTINGS, max_examples=examples)
    def run(case: Any) -> None:
        seen[call(case).status_code] += 1

    run()
    return seen


def fuzz(
    schema: Any, call: Callable[[Any], Any], examples: int
) -> tuple[list[str], dict[str, Counter[int]]]:
    """Fuzz every operation; the first failure of each, as text, and the statuses each saw."""
    failures, statuses = [], {}
    for result in schema.get_all_operations():
        operation = result.ok()
        try:
            statuses[operation.label] = fuzz_operation(operation, call, examples)
        except (Exception, BaseExceptionGroup) as error:  # reported together by the caller
            failures.append(f"{operation.label}: {error}")
    return failures, statuses


def test_signed_in_api_never_fails_and_errors_are_json(
    api_schema: Any, session_cookie: dict[str, str]
) -> None:
    def call(case: Any) -> Any:
        anonymous = case.operation.path.startswith("/api/auth/")
        if case.operation.path.startswith("/model/") and isinstance(case.body, dict):
            case.body["username"] = USER["username"]  # past "unknown user", into the model
        if case.operation.path == "/api/interactions" and isinstance(case.body, dict):
            for item in case.body.get("interactions") or []:
                if isinstance(item, dict) and isinstance(item.get("track_id"), str):
                    item["track_id"] = "demo-0001"  # a known track, so valid batches are stored
        return case.call_and_validate(
            headers={**PAGE_HEADERS, SECRET_HEADER: MODEL_SECRET},
            cookies=None if anonymous else session_cookie,
            checks=CHECKS,
            timeout=20,
            allow_redirects=False,
        )

    failures, statuses = fuzz(api_schema, call, examples=40)
    assert not failures, "\n\n".join(failures)
    assert sum(sum(seen.values()) for seen in statuses.values()) > 300
    for label, seen in statuses.items():
        # The session and the model secret were honoured: not everything bounced as 401.
        assert set(seen) != {401}, f"{label} always answered 401 to a signed-in caller"


def test_signed_out_api_answers_json_401(api_schema: Any) -> None:
    def call(case: Any) -> Any:
        return case.call_and_validate(
            headers=PAGE_HEADERS,
            checks=[*CHECKS, signed_out_is_401],
            timeout=20,
            allow_redirects=False,
        )

    failures, statuses = fuzz(api_schema, call, examples=12)
    assert not failures, "\n\n".join(failures)
    assert statuses["GET /api/me"] and set(statuses["GET /api/me"]) == {401}
