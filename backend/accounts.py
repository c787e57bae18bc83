"""Accounts: sign-up, sign-in and settings, over the store. Routes live in blueprints/."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from . import passwords
from .app_types import app
from .errors import ApiError, describe_validation_error
from .inputs import PlainText, plain_text
from .store import User, UsernameTaken

__all__ = [
    "User",
    "Settings",
    "SettingsPatch",
    "settings_of",
    "sign_in",
    "sign_up",
    "update_settings",
]

USERNAME_PATTERN = r"^[A-Za-z0-9_.\-]{3,32}$"


def _password_bytes(value: str) -> str:
    size = len(value.encode("utf-8"))
    if size < 8:
        raise ValueError("must be at least 8 bytes")
    if size > 1024:
        raise ValueError("must be at most 1024 bytes")
    return value


def _display_name(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > 64:
        raise ValueError("must be 1 to 64 characters")
    return plain_text(value)  # no control characters, no lone surrogates


class SignupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    username: str = Field(pattern=USERNAME_PATTERN, description="3-32 of a-z 0-9 _ . -")
    password: str
    display_name: str | None = None

    _check_password = field_validator("password")(_password_bytes)
    _check_display = field_validator("display_name")(_display_name)


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    username: str = Field(max_length=64)
    password: str = Field(max_length=4096)


class AccountResponse(BaseModel):
    username: str
    display_name: str


Genre = Annotated[PlainText, Field(min_length=1, max_length=40)]


class Settings(BaseModel):
    """Per-user settings; the model and the feed read them."""

    model_config = ConfigDict(extra="forbid", strict=True)
    favorite_genres: list[Genre] = Field(default_factory=list, max_length=20)
    skip_threshold_unit: Literal["seconds", "percent"] = "seconds"
    skip_threshold_value: float = Field(default=30, gt=0, le=600)
    allow_explicit: bool = True
    exploration: float = Field(default=0.3, ge=0, le=1)

    @model_validator(mode="after")
    def _percent_range(self) -> Settings:
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


def settings_of(user: User) -> dict[str, Any]:
    """The user's full settings, defaults filled in; a stored value that today's rules refuse
    (saved before a rule was added) reads as its default rather than failing every request."""
    defaults, stored = Settings().model_dump(), dict(user.settings)
    while True:
        try:
            return Settings.model_validate({**defaults, **stored}).model_dump()
        except ValidationError as error:
            refused = {str(e["loc"][0]) for e in error.errors() if e["loc"]} & stored.keys()
            if not refused:
                return defaults
            for key in refused:
                del stored[key]


async def sign_up(body: SignupRequest) -> User:
    username = body.username.lower()
    user = User(
        username=username,
        password_hash=await passwords.hash_password(body.password),
        display_name=body.display_name or username,
        settings={},
        created_at=int(time.time() * 1000),
    )
    try:
        await app().store.create_user(user)
    except UsernameTaken:
        raise ApiError(409, "username_taken", "That username is taken.") from None
    return user


async def sign_in(body: LoginRequest, address: str) -> User:
    """Check the password after reserving the attempt (per client address and per account,
    `throttle.py`); rehash when the cost parameters changed."""
    username = body.username.lower()
    throttle = app().login_throttle
    wait = await throttle.reserve(address, username)
    if wait:
        raise ApiError(
            429,
            "too_many_attempts",
            f"Too many sign-in attempts; try again in {wait} s.",
            {"Retry-After": str(wait)},
        )
    user = await app().store.get_user(username)
    ok = await passwords.verify_password(user.password_hash if user else None, body.password)
    if not ok or user is None:
        raise ApiError(401, "invalid_credentials", "Wrong username or password.")
    await throttle.succeeded(address, username)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = await passwords.hash_password(body.password)
        await app().store.update_user(user)
    return user


async def update_settings(user: User, patch: SettingsPatch) -> dict[str, Any]:
    changes = patch.model_dump(exclude_none=True)
    try:
        merged = Settings.model_validate({**settings_of(user), **changes})
    except ValidationError as error:
        raise ApiError(422, "invalid_request", describe_validation_error(error)) from None
    user.settings = merged.model_dump()
    await app().store.update_user(user)
    return user.settings
