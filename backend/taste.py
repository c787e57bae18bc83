"""The listener corrects what Encore learned: forget a track or an artist, block and unblock
an artist, reset, and a private session (`settings.learning_paused`).

A correction is stored once by id (so the page's outbox can replay it) with the time the
listener made it; the model applies it before its next answer (shared_model/taste.py), so the
very next feed honours it.
"""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .interactions import EARLIEST_AT, UUID_PATTERN
from .model_service import ModelService
from .store import Correction, Store

DAY_MS = 24 * 3600 * 1000


class CorrectionIn(BaseModel):
    """What every correction may carry: the page's own id (a replay changes nothing) and the
    moment the listener made it (offline corrections arrive later)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    id: str | None = Field(default=None, pattern=UUID_PATTERN,
                           description="uuid made by the client")
    at: int | None = Field(default=None, ge=EARLIEST_AT, description="epoch ms")

    @model_validator(mode="after")
    def _not_in_the_future(self) -> CorrectionIn:
        if self.at is not None and self.at > time.time() * 1000 + DAY_MS:
            raise ValueError("at is more than a day in the future")
        return self


# a track or artist id as the sources make them: printable, no control characters
TargetId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$")]


class ForgetRequest(CorrectionIn):
    track_id: TargetId | None = None
    artist_id: TargetId | None = None

    @model_validator(mode="after")
    def _one_target(self) -> ForgetRequest:
        if (self.track_id is None) == (self.artist_id is None):
            raise ValueError("name either track_id or artist_id")
        return self


class BlockRequest(CorrectionIn):
    artist_id: TargetId


class CorrectionQuery(BaseModel):
    """DELETE …/block/<artist_id>?id=&at= (a body-less request can still be replayed)."""

    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(default=None, pattern=UUID_PATTERN)
    at: int | None = Field(default=None, ge=EARLIEST_AT)


async def correct(store: Store, models: ModelService, username: str, kind: str, target: str,
                  given: CorrectionIn | CorrectionQuery | None = None) -> dict[str, Any]:
    """Store the correction and let the model take it before its next answer."""
    now = int(time.time() * 1000)
    at = given.at if given and given.at is not None else now
    if at > now + DAY_MS:
        at = now
    correction = Correction((given.id if given and given.id else str(uuid.uuid4())).lower(),
                            kind, target, at)
    stored = await store.put_correction(username, correction)
    if stored:
        models.stale(username)
    return {"correction": correction.to_dict(), "duplicate": not stored}


async def pause_changed(store: Store, models: ModelService, username: str,
                        paused: bool) -> None:
    """`settings.learning_paused` flipped: a private session starts or ends now."""
    await correct(store, models, username, "pause" if paused else "resume", "")
