"""The model service over HTTP (`/model/...`), for separate model nodes. Internal: every call
must carry the shared secret; without one configured, the API is off."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool
from quart import Blueprint, request
from quart_schema import validate_request

from ..app_types import app
from ..errors import ApiError
from ..interactions import InteractionIn
from ..model_client import SECRET_HEADER

bp = Blueprint("model_api", __name__, url_prefix="/model")


class SubscribeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)


class ReceiveInfoRequest(SubscribeRequest):
    interactions: list[InteractionIn] = Field(min_length=1, max_length=500)


Name = Annotated[str, Field(max_length=512)]
# a number as sent (an int stays an int), finite and of a plausible size
Number = Annotated[int, Field(ge=-(10**12), le=10**12)] | Annotated[
    float, Field(ge=-1e12, le=1e12)
]


class CandidateArtist(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: Name | None = None
    name: Name | None = None


class CandidateAlbum(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: Name | None = None
    release_date: Name | None = None
    release_year: int | None = Field(None, ge=0, le=9999)


class Candidate(BaseModel):
    """A Track (DESIGN.md): the fields the ranker reads are checked for their type, the rest
    passes through; unset fields stay unset, so the ranker sees what the web node sent."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False)
    id: str = Field(min_length=1, max_length=128)
    artists: list[CandidateArtist] = Field(default_factory=list, max_length=100)
    album: CandidateAlbum | None = None
    genres: list[Name] = Field(default_factory=list, max_length=100)
    explicit: StrictBool | None = None
    popularity: Number | None = None
    release_year: int | None = Field(None, ge=0, le=9999)
    duration_ms: int | None = Field(None, ge=0, le=10**10)
    features: dict[Name, Number] = Field(default_factory=dict, max_length=200)


class SuggestRequest(SubscribeRequest):
    candidates: list[Candidate] = Field(max_length=5000)
    limit: int = Field(ge=1, le=5000)
    fresh_start: bool = Field(False, description="starting over: what was heard today may come")


@bp.before_request
async def _require_secret() -> None:
    secret = app().settings.model_secret
    given = request.headers.get(SECRET_HEADER, "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        raise ApiError(401, "unauthorized", "The model API needs the shared secret.")


async def _known_user(username: str) -> str:
    if await app().store.get_user(username) is None:
        raise ApiError(404, "unknown_user", "No such user.")
    return username.lower()


@bp.post("/subscribe")
@validate_request(SubscribeRequest)
async def subscribe(data: SubscribeRequest) -> dict[str, Any]:
    entry = await app().models.local.subscribe(await _known_user(data.username))
    return {"model_version": entry.version}


@bp.post("/receive-info")
@validate_request(ReceiveInfoRequest)
async def receive_info(data: ReceiveInfoRequest) -> dict[str, Any]:
    username = await _known_user(data.username)
    unknown = [i.track_id for i in data.interactions if not app().sources.known(i.track_id)]
    if unknown:
        raise ApiError(422, "invalid_request", f"interactions: unknown track {unknown[0]!r}")
    items = [i.model_dump() for i in data.interactions]
    entry = await app().models.local.receive_info(username, items)
    return {"model_version": entry.version}


@bp.post("/suggest")
@validate_request(SuggestRequest)
async def suggest(data: SuggestRequest) -> dict[str, Any]:
    username = await _known_user(data.username)
    candidates = [c.model_dump(exclude_unset=True) for c in data.candidates]
    return await app().models.local.suggest(username, candidates, data.limit,
                                            fresh_start=data.fresh_start)
