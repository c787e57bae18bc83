"""The OpenAPI description the app serves says what a request must carry: a client built from
it (schemathesis, a generated SDK) leaves out exactly the query parameters it may leave out."""

from __future__ import annotations

from typing import Any

import jsonschema

from tests.conftest import ApiClient, AuthActions

# where a path needs a value
PATHS = {"artist_id": "demo-ar-001", "track_id": "demo-0001", "key": "0123456789",
         "cover_id": "x"}


async def test_every_query_parameter_is_required_exactly_when_the_api_needs_it(
        client: ApiClient, auth: AuthActions) -> None:
    await auth.signup()
    spec: dict[str, Any] = await (await client.get("/api/openapi.json")).get_json()
    checked = []
    for template, operations in spec["paths"].items():
        for method, operation in operations.items():
            query = [p for p in operation.get("parameters", []) if p["in"] == "query"]
            if not query or method != "get" or not template.startswith("/api/"):
                continue
            path = template.format(**PATHS)
            required = {p["name"] for p in query if p.get("required")}
            answer = await client.get(path)
            body = await answer.get_json()
            refused = answer.status_code == 422 and body["error"]["code"] == "invalid_request"
            assert refused == bool(required), (path, required, answer.status_code, body)
            for name in required:
                assert name in body["error"]["message"], (path, name, body)
            checked.append(path)
    assert {"/api/search", "/api/me/liked/contains", "/api/feed"} <= set(checked)


async def test_every_body_is_required_exactly_when_the_api_needs_it(
        client: ApiClient, auth: AuthActions) -> None:
    """A request without a body is refused (422) exactly where the description says a body is
    required: `POST /api/me/taste/reset` needs none (DESIGN.md names none)."""
    await auth.signup()
    spec: dict[str, Any] = await (await client.get("/api/openapi.json")).get_json()
    optional = []
    for template, operations in spec["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if body is None or not template.startswith("/api/") or "auth" in template:
                continue
            path = template.format(**PATHS, playlist_id="pl-0000000000000000")
            answer = await getattr(client, method)(path)
            error = ((await answer.get_json()) or {}).get("error") or {}
            refused = answer.status_code == 422 and error.get("code") == "invalid_request"
            assert refused == body["required"], (method, path, answer.status_code, error)
            if not body["required"]:
                optional.append(f"{method.upper()} {template}")
    assert optional == ["POST /api/me/taste/reset"]


async def test_every_operation_describes_its_errors_and_they_are_so(client: ApiClient) -> None:
    """Each operation's answers are described, its errors as DESIGN.md's one body; and what a
    signed-out client gets from every /api/ operation is what the description says."""
    spec: dict[str, Any] = await (await client.get("/api/openapi.json")).get_json()
    error_schema = spec["components"]["schemas"]["Error"]
    seen = set()
    for template, operations in spec["paths"].items():
        for method, operation in operations.items():
            answers = operation["responses"]
            assert answers and answers["4XX"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"}, (method, template)
            if not template.startswith("/api/") or template == "/api/openapi.json":
                continue
            path = template.format(**PATHS, playlist_id="pl-0000000000000000", album_id="x")
            answer = await getattr(client, method)(path, json={})
            status = f"{answer.status_code // 100}XX"
            assert status in answers or str(answer.status_code) in answers, (path, status)
            if answer.status_code >= 400:
                jsonschema.validate(await answer.get_json(), error_schema)
                seen.add(answer.status_code)
    assert {401, 404} <= seen


async def test_a_header_the_api_needs_is_described_as_required(client: ApiClient,
                                                                auth: AuthActions) -> None:
    """Replacing a playlist's tracks needs If-Match (428 without: another device's edit could
    be lost); the description says so, and of no other header."""
    await auth.signup()
    made = await (await client.post("/api/playlists", json={"name": "Mine"})).get_json()
    spec: dict[str, Any] = await (await client.get("/api/openapi.json")).get_json()
    required = []
    for template, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "header" and parameter.get("required"):
                    required.append(f"{method.upper()} {template} {parameter['name']}")
    assert required == ["PUT /api/playlists/{playlist_id}/tracks if-match"]
    answer = await client.put(f"/api/playlists/{made['id']}/tracks", json={"track_ids": []})
    assert answer.status_code == 428
