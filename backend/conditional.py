"""Conditional requests (RFC 9110 13) where werkzeug and Quart get them wrong, in one place.

- A date in `If-Modified-Since`, `If-Unmodified-Since` or `If-Range` that does not fit a
  datetime (a year or an hour of 20 digits) made werkzeug's `parse_date` raise OverflowError, a
  500 on every file and audio answer: such a header is dropped, as RFC 9110 13.1.3 says an
  invalid date is ignored.
- `If-Match: *` holds whenever there is a current representation (13.1.1), which is the only
  case a GET or HEAD answer evaluates preconditions in (an error answer ignores them, 13.2.1);
  werkzeug's strong comparison ignores the star, so Quart answered 412 for every existing file.
  It is dropped on GET and HEAD.
- A failed `If-Match` made Quart set 412 and still send the file as the body: `EncoreResponse`
  answers it with DESIGN.md's JSON error instead.
"""

from __future__ import annotations

import email.utils

from quart import Request, Response
from werkzeug.datastructures import Headers

from .errors import ApiError

DATE_HEADERS = ("If-Modified-Since", "If-Unmodified-Since", "If-Range")
_CONDITIONAL = {name.lower() for name in (*DATE_HEADERS, "If-Match")}


def _impossible_date(value: str) -> bool:
    """A value werkzeug's `parse_date` would raise on instead of answering None (it only
    catches TypeError and ValueError; a year of 20 digits overflows)."""
    try:
        email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return False  # no date at all (an ETag in If-Range, or junk): werkzeug ignores it
    except Exception:
        return True
    return False


def drop_misread_conditions(method: str, headers: Headers) -> None:
    """Drop the conditional headers werkzeug would misread (above): the request is then
    answered as their meaning says, as if they had not been sent."""
    if not _CONDITIONAL.intersection(name.lower() for name in headers.keys()):
        return  # most requests: one pass over the names instead of four lookups
    for name in DATE_HEADERS:
        if any(_impossible_date(value) for value in headers.getlist(name)):
            del headers[name]
    if method in ("GET", "HEAD") and [v.strip() for v in headers.getlist("If-Match")] == ["*"]:
        del headers["If-Match"]


class EncoreResponse(Response):
    async def make_conditional(self, request: Request, accept_ranges: bool | str = False,
                               complete_length: int | None = None) -> Response:
        response = await super().make_conditional(request, accept_ranges, complete_length)
        if response.status_code == 412:  # Quart kept the whole file as the body
            raise ApiError(412, "precondition_failed",
                           "The file is not the version your If-Match names.")
        return response
