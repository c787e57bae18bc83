"""The OpenAPI description the app serves (`/api/openapi.json`): quart-schema's, with the query
parameters a request must carry marked `required` (quart-schema 0.25 reads `required` from each
property, where pydantic never puts it, so `q` of a search read as optional), and each request
body `required` (OpenAPI's default is not, and quart-schema says nothing) but those a request
may leave out (`inputs.validate_optional_json`); and every operation's answers: quart-schema
listed none (OpenAPI asks for at least one), now each names its errors' one body (DESIGN.md:
`{"error": {"code", "message"}}`, `errors.py`), so a client or a fuzzer can check them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from quart_schema import OpenAPIProvider
from werkzeug.routing import Rule

from .inputs import BODY_OPTIONAL

ERROR = {
    "type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string", "pattern": "^[a-z0-9_]+$"},
            "message": {"type": "string", "minLength": 1}}}},
}
_ERROR_ANSWER = {
    "description": "the request failed: what went wrong, for code and for people",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
ANSWERS = {"2XX": {"description": "done"}, "4XX": _ERROR_ANSWER, "5XX": _ERROR_ANSWER}


class EncoreOpenAPIProvider(OpenAPIProvider):
    def build_paths(self, rule: Rule) -> tuple[dict[str, Any], dict[str, Any]]:
        paths, components = super().build_paths(rule)
        optional = getattr(self._app.view_functions[rule.endpoint], BODY_OPTIONAL, False)
        for operations in paths.values():
            for operation in operations.values():
                if optional:
                    operation["requestBody"]["required"] = False
                operation["responses"] = {**ANSWERS, **operation["responses"]}
        return paths, {**components, "Error": ERROR}

    def build_request_body(self, model: Any, source: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        body, components = super().build_request_body(model, source)
        return {**body, "required": True}, components

    def build_querystring_parameters(
        self, model: Any
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        parameters, definitions = super().build_querystring_parameters(model)
        if isinstance(model, type) and issubclass(model, BaseModel):
            for parameter in parameters:
                field = model.model_fields.get(parameter["name"])
                if field is not None and field.is_required():
                    parameter["required"] = True
        return parameters, definitions
