"""One error type and the handlers that turn every failure into DESIGN.md's JSON error body."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from pydantic import ValidationError
from quart import Quart, Response, g, jsonify
from quart_schema import RequestSchemaValidationError
from werkzeug.exceptions import HTTPException

from .store import StoreUnavailable

log = logging.getLogger("encore.errors")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    411: "length_required",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
    422: "invalid_request",
    428: "precondition_required",
    429: "too_many_requests",
    431: "headers_too_large",
    503: "unavailable",
}


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extra: dict[str, Any] = {}  # more top-level members of the body (e.g. a 412's
        # "current" version), beside "error"


def new_request_id() -> str:
    """The id an unexpected failure's answer names, so a listener's report finds its log line."""
    return uuid.uuid4().hex[:16]


def error_response(
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    response = jsonify({**(extra or {}), "error": {"code": code, "message": message}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def describe_validation_error(error: Exception) -> str:
    """A short sentence naming each bad field, e.g. "password: at least 8 characters"."""
    if not isinstance(error, ValidationError):
        return "The request body must be a JSON object."
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item.get("loc", ()) if p != "__root__")
        message = str(item.get("msg", "invalid"))
        if item.get("type") == "model_type" or (not where and item.get("input") is None):
            return "The request body must be a JSON object."
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts) or "Invalid request."


async def handle(error: Exception) -> Response:
    """DESIGN.md's JSON error answer to any failure. Quart calls it for each kind registered
    below, the plain-ASGI path of `POST /api/interactions` for what its work raises; both in an
    app context, whose `g.request_id` an unexpected failure's answer names."""
    if isinstance(error, ApiError):
        return error_response(error.status, error.code, error.message, error.headers, error.extra)
    if isinstance(error, RequestSchemaValidationError):
        return error_response(
            422, "invalid_request", describe_validation_error(error.validation_error)
        )
    if isinstance(error, HTTPException):
        status = error.code or 500
        headers: dict[str, Any] = {}
        valid_methods = getattr(error, "valid_methods", None)
        if status == 405 and valid_methods:
            headers["Allow"] = ", ".join(valid_methods)
        message = {
            404: "Nothing here.",
            405: "That method is not allowed here.",
            413: "The request body is too large (1 MiB at most).",
        }.get(status, error.description or error.name)
        return error_response(status, _CODES.get(status, "http_error"), message, headers)
    if isinstance(error, UnicodeDecodeError):
        return error_response(400, "bad_request", "The request body must be UTF-8 JSON.")
    if isinstance(error, StoreUnavailable):
        log.warning("store unavailable: %s", error)
        return error_response(
            503,
            "store_unavailable",
            "Storage is unreachable; try again shortly.",
            {"Retry-After": "5"},
        )
    request_id = getattr(g, "request_id", None) or new_request_id()
    log.exception("unhandled error, request id %s", request_id, exc_info=error)
    return error_response(
        500, "internal_error", f"Something went wrong on our side (request {request_id})."
    )


def register_error_handlers(app: Quart) -> None:
    for kind in (ApiError, RequestSchemaValidationError, HTTPException, UnicodeDecodeError,
                 StoreUnavailable, Exception):
        app.register_error_handler(kind, handle)
