"""The query of a paged list (newest first): `limit` and the opaque `cursor` of the page
before, declared once so OpenAPI and the fuzzers see them on every list endpoint."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from .errors import ApiError


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(default=50, ge=1, le=200, description="items per page")
    cursor: str | None = Field(default=None, min_length=1, max_length=200,
                               description="next_cursor of the page before")


def bad_cursor() -> ApiError:
    return ApiError(422, "invalid_request", "cursor: not one this server gave out")
