"""Accounts: sign-up, sign-in and settings, over the store they are given. Routes live in
blueprints/auth.py and blueprints/me.py; the settings model in user_settings.py."""

from __future__ import annotations

import time
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from . import passwords
from .errors import ApiError, describe_validation_error
from .inputs import plain_text
from .store import Store, User, UsernameTaken
from .throttle import LoginThrottle
from .user_settings import SettingsPatch, UserSettings, settings_of

__all__ = ["User", "sign_in", "sign_up", "update_settings"]

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


async def sign_up(store: Store, body: SignupRequest) -> User:
    username = body.username.lower()
    user = User(
        username=username,
        password_hash=await passwords.hash_password(body.password),
        display_name=body.display_name or username,
        settings={},
        created_at=int(time.time() * 1000),
    )
    try:
        await store.create_user(user)
    except UsernameTaken:
        raise ApiError(409, "username_taken", "That username is taken.") from None
    return user


async def sign_in(
    store: Store, throttle: LoginThrottle, body: LoginRequest, address: str
) -> User:
    """Check the password after reserving the attempt (per client address and per account,
    `throttle.py`); rehash when the cost parameters changed."""
    username = body.username.lower()
    wait = await throttle.reserve(address, username)
    if wait:
        raise ApiError(
            429,
            "too_many_attempts",
            f"Too many sign-in attempts; try again in {wait} s.",
            {"Retry-After": str(wait)},
        )
    user = await store.get_user(username)
    ok = await passwords.verify_password(user.password_hash if user else None, body.password)
    if not ok or user is None:
        raise ApiError(401, "invalid_credentials", "Wrong username or password.")
    await throttle.succeeded(address, username)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = await passwords.hash_password(body.password)
        await store.update_user(user)
    return user


async def update_settings(store: Store, user: User, patch: SettingsPatch) -> dict[str, Any]:
    changes = patch.model_dump(exclude_none=True)
    try:
        merged = UserSettings.model_validate({**settings_of(user), **changes})
    except ValidationError as error:
        raise ApiError(422, "invalid_request", describe_validation_error(error)) from None
    user.settings = merged.model_dump()
    await store.update_user(user)
    return user.settings
