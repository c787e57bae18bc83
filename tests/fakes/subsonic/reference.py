"""The OpenSubsonic OpenAPI reference (../shared/reference/opensubsonic/openapi), as checks:

- `check_response(method, body)`: a JSON answer against the method's response schema;
- `check_request(method, params, verb)`: a request's query (GET) or form body (POST, the
  `formPost` extension) against the method's declared parameters (names, required ones,
  types, enums, ranges) and the API's security schemes
  (exactly one sign-in mechanism: `apiKey`; or `u`+`p`; or `u`+`t`+`s`; plus `v`, `c`, `f`).

The reference is split over files that `$ref` each other by relative path; they are served to
jsonschema through a `referencing` registry keyed by file URI. OpenAPI 3.0's `nullable` is
turned into JSON Schema's null type on the way.
"""

from __future__ import annotations

import json
from functools import cache, cached_property
from pathlib import Path
from typing import Any


def _find_root() -> Path:
    """`shared/reference/opensubsonic/openapi` beside the repository or a folder above it
    (a worktree lives deeper than the main checkout)."""
    here = Path(__file__).resolve()
    for folder in here.parents[3:]:
        candidate = folder / "shared" / "reference" / "opensubsonic" / "openapi"
        if (candidate / "openapi.json").exists():
            return candidate
    return here.parents[4] / "shared" / "reference" / "opensubsonic" / "openapi"


ROOT = _find_root()
PROTOCOL = {"v", "c", "f"}


def _json_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _json_schema(v) for k, v in node.items()
           if k not in ("nullable", "discriminator", "example", "externalDocs")}
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        else:
            return {"anyOf": [out, {"type": "null"}]}
    return out


class Reference:
    def __init__(self, root: Path = ROOT) -> None:
        import jsonschema
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        self.root = root
        self.document: dict[str, Any] = json.loads((root / "openapi.json").read_text())
        self._jsonschema = jsonschema

        def retrieve(uri: str) -> Resource[Any]:
            path = Path(uri.removeprefix("file://"))
            return Resource.from_contents(_json_schema(json.loads(path.read_text())),
                                          default_specification=DRAFT202012)

        self.registry: Registry[Any] = Registry(retrieve=retrieve)  # type: ignore[call-arg]

    @cached_property
    def security(self) -> list[set[str]]:
        """Each alternative's sign-in parameter names (protocol fields left out)."""
        schemes = self.document["components"]["securitySchemes"]
        return [{schemes[name]["name"] for name in alternative} - PROTOCOL
                for alternative in self.document["security"]]

    @cache  # noqa: B019  (one Reference per test session)
    def operation(self, method: str, verb: str = "get") -> tuple[Path, dict[str, Any]]:
        ref = self.document["paths"][f"/rest/{method}"]["$ref"]
        path = (self.root / ref).resolve()
        return path, json.loads(path.read_text())[verb]

    def verbs(self, method: str) -> set[str]:
        ref = self.document["paths"][f"/rest/{method}"]["$ref"]
        return set(json.loads((self.root / ref).read_text())) & {"get", "post"}

    def check_response(self, method: str, body: Any) -> list[str]:
        path, operation = self.operation(method)
        response = operation["responses"]["200"]
        where = path
        while "$ref" in response:
            where = (where.parent / response["$ref"]).resolve()
            response = json.loads(where.read_text())
        schema = response["content"]["application/json"]["schema"]
        if "$ref" in schema:
            schema = {"$ref": (where.parent / schema["$ref"]).resolve().as_uri()}
        validator = self._jsonschema.Draft202012Validator(
            _json_schema(schema), registry=self.registry)
        problems = []
        for error in validator.iter_errors(body):
            while error.context:  # inside oneOf/allOf: the failure deepest in the document
                error = max(error.context, key=lambda e: len(e.absolute_path))
            problems.append(f"{list(error.absolute_path)}: {error.message[:300]}")
        return problems[:5]

    def check_request(self, method: str, params: list[tuple[str, str]],
                      verb: str = "get") -> list[str]:
        """`verb` "post": the fields of a `formPost` body, against the method's form schema."""
        if verb not in self.verbs(method):
            return [f"{method}: the reference has no {verb.upper()} for it"]
        path, operation = self.operation(method, verb)
        declared = _declared(operation)
        names = [name for name, _ in params]
        problems: list[str] = []
        security = self.security if operation.get("security") is None else [
            set() for _ in operation["security"]] or [set()]
        signs = set().union(*self.security)
        auth = {n for n in names if n in signs and n not in declared}
        known = set(declared) | PROTOCOL | signs
        problems += [f"{method}: {n} is not a parameter of this method"
                     for n in dict.fromkeys(names) if n not in known]
        if auth not in security:
            problems.append(f"{method}: sign-in parameters {sorted(auth)} are not one of "
                            f"{[sorted(s) for s in security]}")
        for name in PROTOCOL:
            if names.count(name) != 1:
                problems.append(f"{method}: {name} must be sent once")
        if ("f", "json") not in params:
            problems.append(f"{method}: f must be json (the reference documents JSON only)")
        for name, spec in declared.items():
            values = [v for n, v in params if n == name]
            if spec.get("required") and not values:
                problems.append(f"{method}: required parameter {name} is missing")
            schema = spec.get("schema", {})
            if "$ref" in schema:
                schema = json.loads((path.parent / schema["$ref"]).read_text())
            if schema.get("type") == "array":
                item_schema = schema.get("items", {})
            else:
                item_schema = schema
                if len(values) > 1:
                    problems.append(f"{method}: {name} may be sent once")
            for value in values:
                problems += [f"{method}: {name}={value!r}: {p}"
                             for p in _check_value(item_schema, value)]
        return problems


def _declared(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """name -> {"schema", "required"}: the query parameters of a GET, the form fields of a
    POST (`formPost`)."""
    if "requestBody" not in operation:
        return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
    form = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    required = set(form.get("required", []))
    return {name: {"schema": schema, "required": name in required}
            for name, schema in form.get("properties", {}).items()}


def _check_value(schema: dict[str, Any], text: str) -> list[str]:
    kind = schema.get("type", "string")
    value: Any = text
    if kind == "integer":
        if not text.lstrip("-").isdigit():
            return ["not an integer"]
        value = int(text)
    elif kind == "number":
        try:
            value = float(text)
        except ValueError:
            return ["not a number"]
    elif kind == "boolean":
        if text not in ("true", "false"):
            return ["not true or false"]
        return []
    problems = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"not one of {schema['enum']}")
    if "minimum" in schema and value < schema["minimum"]:
        problems.append(f"below the minimum {schema['minimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        problems.append(f"above the maximum {schema['maximum']}")
    if "pattern" in schema:
        import re

        if not re.search(schema["pattern"], text):
            problems.append(f"does not match {schema['pattern']}")
    return problems
