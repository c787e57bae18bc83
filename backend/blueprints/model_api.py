"""The model service over HTTP (`/model/...`), for separate model nodes. Internal: every call
must carry the shared secret; without one configured, the API is off."""

from __future__ import annotations

import hmac
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
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


class Candidate(BaseModel):
    """A Track (DESIGN.md); only the id is checked here, the ranker reads what it knows."""

    model_config = ConfigDict(extra="allow")
    id: str = Field(min_length=1, max_length=128)


class SuggestRequest(SubscribeRequest):
    candidates: list[Candidate] = Field(max_length=5000)
    limit: int = Field(ge=1, le=5000)


@bp.before_request
async def _require_secret() -> None:
    secret = app().config["MODEL_SECRET"]
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
    candidates = [c.model_dump() for c in data.candidates]
    return await app().models.local.suggest(username, candidates, data.limit)
