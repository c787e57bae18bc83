"""Interactions: what a listener did with a track, validated and stored exactly once."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .model_client import ModelClient
from .sources import MusicSources
from .store import Interaction, PutResult, Store

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
DAY_MS = 24 * 3600 * 1000
MAX_DURATION_MS = 6 * 3600 * 1000
POSITION_SLACK_MS = 2000  # players report a little past the end
EARLIEST_AT = 1_577_836_800_000  # 2020-01-01: anything older is a broken clock


class InteractionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    id: str = Field(pattern=UUID_PATTERN, description="uuid made by the client")
    track_id: str = Field(min_length=1, max_length=128)
    type: Literal["finished", "skipped", "liked", "disliked"]
    position_ms: int = Field(ge=0, le=MAX_DURATION_MS)
    duration_ms: int = Field(gt=0, le=MAX_DURATION_MS)
    at: int = Field(ge=EARLIEST_AT, description="epoch ms")

    @model_validator(mode="after")
    def _plausible(self) -> InteractionIn:
        if self.position_ms > self.duration_ms + POSITION_SLACK_MS:
            raise ValueError("position_ms is past the end of the track (duration_ms)")
        if self.at > time.time() * 1000 + DAY_MS:
            raise ValueError("at is more than a day in the future")
        return self


class InteractionBatch(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    interactions: Annotated[list[InteractionIn], Field(min_length=1, max_length=500)]


class InteractionsAnswer(BaseModel):
    accepted: list[str]
    duplicates: list[str]


def unknown_tracks(
    sources: MusicSources, batch: InteractionBatch
) -> list[tuple[int, InteractionIn]]:
    return [
        (i, item) for i, item in enumerate(batch.interactions) if not sources.known(item.track_id)
    ]


def as_sent(sent: list[str], stored: PutResult) -> PutResult:
    """The store's answer (canonical lower-case ids) with each id spelled as the client sent
    it, so a client matching ids exactly sees its own. Ids are one id whatever their case: of
    several spellings in one batch, the first is the one accepted (as in the store)."""
    accepted = {i: 1 for i in stored.accepted}
    answer = PutResult(accepted=[], duplicates=[])
    for original in sent:
        if accepted.get(original.lower()):
            accepted[original.lower()] = 0
            answer.accepted.append(original)
        else:
            answer.duplicates.append(original)
    return answer


async def record(
    store: Store, models: ModelClient, username: str, batch: InteractionBatch
) -> tuple[PutResult, list[dict[str, Any]]]:
    """Store durably (idempotent by id, case-insensitively: ids are stored in lower case),
    then let the model learn in the background (`ModelClient.learn`) without delaying the
    answer. Returns the ids acknowledged as sent, and the newly stored interactions."""
    items = [
        Interaction(**item.model_dump() | {"id": item.id.lower()}) for item in batch.interactions
    ]
    stored = await store.put_interactions(username, items)
    result = as_sent([item.id for item in batch.interactions], stored)
    fresh: list[dict[str, Any]] = []
    if stored.accepted:
        models.local.stale(username)
        accepted = set(stored.accepted)
        fresh = [i.to_dict() for i in items if i.id in accepted]
        models.learn(username, fresh)
    return result, fresh
