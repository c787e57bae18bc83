"""What clients send, parsed strictly in one place: JSON bodies, numbers and text.

- JSON bodies (every endpoint, through `request.get_json()`): at most `MAX_JSON_DEPTH` levels of
  arrays and objects (deeper input used to exhaust the parser's recursion), and only real text
  (a lone UTF-16 surrogate such as `"\\ud800"` is valid JSON but no character, and neither the
  SQLite driver nor a browser can store it). Failures are 400 `bad_request` with a sentence.
- Numbers in query strings and headers: ASCII digits only (`str.isdigit()` also accepts `²`
  and `٣`, which `int()` then refuses or reads), and never more digits than a value can need
  (Python refuses to convert more than 4,300).
- Text fields: no control characters (NUL included) and no surrogates.
- Headers: conditional ones werkzeug misreads are dropped or answered right before anything
  reads them (`conditional.py`); a Host that is no host name (a label over 63 characters,
  `a..b`) made routing raise before any error handler (an empty 500) and is now a 400
  (`HostRefused`, used by `EncoreApp`).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Annotated, Any, NoReturn, TypeVar

import orjson
from pydantic import AfterValidator, BaseModel, BeforeValidator, ValidationError
from quart import Quart, Request, request
from quart.json.provider import DefaultJSONProvider
from quart_schema import validate_request
from werkzeug.datastructures import Headers
from werkzeug.exceptions import BadHost
from werkzeug.sansio.utils import get_content_length
from werkzeug.utils import cached_property

from .conditional import EncoreResponse, drop_misread_conditions
from .errors import ApiError

MAX_JSON_DEPTH = 32  # a Track is about 5 levels deep; nothing Encore reads needs more
MAX_DIGITS = 18  # below 2**63: every number Encore reads fits, and int() stays cheap

Model = TypeVar("Model", bound=BaseModel)


class BadJSON(ValueError):
    """A JSON document Encore refuses; the message is for the client."""


def _is_text(value: str) -> bool:
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_json(value: Any) -> None:
    """BadJSON when `value` nests deeper than MAX_JSON_DEPTH or holds a string that is not
    text (a lone surrogate), in a key or a value. Iterative: no recursion to exhaust."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if not _is_text(item):
                raise BadJSON("The request body holds a lone surrogate (\\ud800-\\udfff), "
                              "which is not text.")
        elif isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise BadJSON(f"The request body nests deeper than {MAX_JSON_DEPTH} levels.")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)


def loads(text: str | bytes) -> Any:
    try:
        value = json.loads(text)
    except RecursionError:
        raise BadJSON(f"The request body nests deeper than {MAX_JSON_DEPTH} levels.") from None
    check_json(value)
    return value


class EncoreRequest(Request):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        drop_misread_conditions(self.method, self.headers)

    @cached_property
    def content_length(self) -> int | None:
        return content_length(self.headers)

    def on_json_loading_failed(self, error: Exception) -> Any:
        if isinstance(error, BadJSON):
            raise ApiError(400, "bad_request", str(error))
        if isinstance(error, json.JSONDecodeError):
            raise ApiError(400, "bad_request",
                           f"The request body is not valid JSON ({error.msg}, line {error.lineno}"
                           f" column {error.colno}).")
        if "digits" in str(error):  # int() refuses more than 4,300 digits
            raise ApiError(400, "bad_request", "A number in the request body is too long.")
        raise ApiError(400, "bad_request", "The request body is not valid JSON.")


def validate_json(
    model: type[BaseModel],
) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[Any]]]:
    """quart-schema's `validate_request(model)` (the same OpenAPI entry, the same errors), with
    a fast first try for a hot route: pydantic validates the body's bytes in Rust
    (`model_validate_json`), without json.loads, the walk of `check_json` and the TypeAdapter
    quart-schema builds per request. The fast parser refuses everything `loads` refuses (lone
    surrogates, invalid UTF-8, NaN), so a body it accepts is one the usual way accepts alike;
    anything it refuses goes the usual way, so every error keeps its status and message."""

    def decorator(func: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        usual = validate_request(model)(func)

        @wraps(usual)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            if request.is_json:
                data = parsed_fast(model, await request.get_data(as_text=False))
                if data is not None:
                    return await func(*args, data=data, **kwargs)
            return await usual(*args, **kwargs)

        return wrapper

    return decorator


BODY_OPTIONAL = "_encore_body_optional"  # read by openapi.py: the requestBody is not required


def validate_optional_json(
    model: type[BaseModel],
) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[Any]]]:
    """quart-schema's `validate_request(model)` for a request that may come without a body (a
    model of optional fields: `POST /api/me/taste/reset` needs nothing): none reads as `{}`."""

    def decorator(func: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        usual = validate_request(model)(func)

        @wraps(usual)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not await request.get_data(as_text=False):
                return await func(*args, data=model(), **kwargs)
            return await usual(*args, **kwargs)

        setattr(wrapper, BODY_OPTIONAL, True)
        return wrapper

    return decorator


def parsed_fast(model: type[Model], body: str | bytes) -> Model | None:
    """`validate_json`'s fast try (also the plain-ASGI path's of `POST /api/interactions`):
    the body validated from its bytes by pydantic, or None for the usual way to answer."""
    try:
        return model.model_validate_json(body)
    except ValidationError:
        return None


def install(app: Quart) -> None:
    """Every request's JSON body goes through `loads` above. Call it after QuartSchema, whose
    JSON provider (it serialises pydantic models) this one extends."""
    provider: type[DefaultJSONProvider] = type(app.json)  # type: ignore[assignment]

    class StrictJSONProvider(provider):  # type: ignore[valid-type,misc]
        def loads(self, s: str | bytes, **kwargs: Any) -> Any:
            return loads(s)

        def dumps(self, obj: Any, **kwargs: Any) -> str:
            """Answers encoded by orjson (a feed answer spent 38 % of its CPU in the standard
            library's encoder): same keys sorted, same types through the provider's `default`
            (pydantic models, dates); anything orjson refuses (an int over 64 bits) falls back
            to the standard encoder, so the answer is the same JSON either way."""
            option = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
            if kwargs.get("indent"):
                option |= orjson.OPT_INDENT_2
            try:
                return orjson.dumps(obj, default=self.default, option=option).decode()
            except (orjson.JSONEncodeError, TypeError):
                return super().dumps(obj, **kwargs)

    app.request_class = EncoreRequest
    app.response_class = EncoreResponse
    app.json = StrictJSONProvider(app)


# --- headers ------------------------------------------------------------------------------
def header(headers: Headers, name: str) -> str | None:
    """`headers.get(name)`, without werkzeug raising and catching a BadRequestKeyError (an
    HTTPException, ~4 µs) when the header is absent, as most asked-for ones are."""
    values = headers.getlist(name)
    return values[0] if values else None


def content_length(headers: Headers) -> int | None:
    """werkzeug's, from headers looked up without raising (Quart asks on every request, and
    Transfer-Encoding is almost never sent)."""
    return get_content_length(header(headers, "Content-Length"),
                              header(headers, "Transfer-Encoding"))


class HostRefused:
    """The URL adapter of a request whose Host header is no host name: matching it raises a
    400, which the error handlers answer with the JSON body like any routing error."""

    def __init__(self) -> None:
        self.error = BadHost("The Host header is not a valid host name.")

    def match(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise self.error


# --- numbers ------------------------------------------------------------------------------
def whole_number(text: str, cap: int | None = None) -> int:
    """A non-negative integer written in ASCII digits; ValueError otherwise. With `cap`, any
    longer run of digits than MAX_DIGITS reads as `cap` (e.g. a byte offset past any file)."""
    if not text or not (text.isascii() and text.isdigit()):
        raise ValueError("must be a whole number written with the digits 0-9")
    if len(text) > MAX_DIGITS:
        if cap is None:
            raise ValueError(f"must have at most {MAX_DIGITS} digits")
        return cap
    return int(text)


def _query_number(value: Any) -> Any:
    return whole_number(value) if isinstance(value, str) else value


# A query-string integer: "12" yes; "1e3", "+5", " 5", "1_0", "²", "٣" and 5,000 digits no.
QueryInt = Annotated[int, BeforeValidator(_query_number)]


# --- text ---------------------------------------------------------------------------------
def plain_text(value: str) -> str:
    """Refuse control characters (NUL included) and surrogates in a text field."""
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cs"):
            raise ValueError("must not contain control characters")
    return value


PlainText = Annotated[str, AfterValidator(plain_text)]
