"""A listener's own settings (favourite genres, skip threshold, explicit, exploration): the
model, the feed and the account read them. Plain data over `store.User`, below every module
that reads them, so none of them needs the app or the accounts module to get at them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .inputs import PlainText
from .store import User

__all__ = ["Genre", "SettingsPatch", "UserSettings", "settings_of"]

Genre = Annotated[PlainText, Field(min_length=1, max_length=40)]
SourceName = Annotated[str, Field(pattern=r"^[a-z]{1,20}$")]  # local, spotify, subsonic, …


class UserSettings(BaseModel):
    """Per-user settings with their defaults; the model and the feed read them."""

    model_config = ConfigDict(extra="forbid", strict=True)
    favorite_genres: list[Genre] = Field(default_factory=list, max_length=20)
    skip_threshold_unit: Literal["seconds", "percent"] = "seconds"
    skip_threshold_value: float = Field(default=30, gt=0, le=600)
    allow_explicit: bool = True
    exploration: float = Field(default=0.3, ge=0, le=1)
    sources: list[SourceName] = Field(default_factory=list, max_length=8)  # empty: every one
    learning_paused: bool = False  # a private session: plays are kept but teach nothing

    @model_validator(mode="after")
    def _percent_range(self) -> UserSettings:
        if self.skip_threshold_unit == "percent" and self.skip_threshold_value > 100:
            raise ValueError("skip_threshold_value: a percentage is at most 100")
        return self


class SettingsPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    favorite_genres: list[Genre] | None = Field(default=None, max_length=20)
    skip_threshold_unit: Literal["seconds", "percent"] | None = None
    skip_threshold_value: float | None = Field(default=None, gt=0, le=600)
    allow_explicit: bool | None = None
    exploration: float | None = Field(default=None, ge=0, le=1)
    sources: list[SourceName] | None = Field(default=None, max_length=8)
    learning_paused: bool | None = None


def settings_of(user: User) -> dict[str, Any]:
    """The user's full settings, defaults filled in; a stored value that today's rules refuse
    (saved before a rule was added) reads as its default rather than failing every request."""
    defaults, stored = UserSettings().model_dump(), dict(user.settings)
    while True:
        try:
            return UserSettings.model_validate({**defaults, **stored}).model_dump()
        except ValidationError as error:
            refused = {str(e["loc"][0]) for e in error.errors() if e["loc"]} & stored.keys()
            if not refused:
                return defaults
            for key in refused:
                del stored[key]
