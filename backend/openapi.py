"""The OpenAPI description the app serves (`/api/openapi.json`): quart-schema's, with the query
parameters a request must carry marked `required` (quart-schema 0.25 reads `required` from each
property, where pydantic never puts it, so `q` of a search read as optional)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from quart_schema import OpenAPIProvider


class EncoreOpenAPIProvider(OpenAPIProvider):
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
