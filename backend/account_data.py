"""What a listener can do with their account as a whole: change the password (every other
session ends), export everything stored about them as one JSON document, delete it all."""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

import shared_model

from . import passwords
from .accounts import _password_bytes, settings_of
from .errors import ApiError
from .model_service import ModelService
from .spotify import SpotifyService
from .store import Store, User
from .throttle import LoginThrottle

EXPORT_FORMAT = "encore-export-1"


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    current: str = Field(max_length=4096)
    new: str

    _check_new = field_validator("new")(_password_bytes)


class AccountDeletion(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    password: str = Field(max_length=4096)


async def _check_password(throttle: LoginThrottle, address: str, user: User,
                          password: str) -> None:
    """The account's own password, throttled like a sign-in (a stolen session must not be a
    free way to guess it): the attempt is reserved first, a right password gives it back."""
    wait = await throttle.reserve(address, user.username)
    if wait:
        raise ApiError(429, "too_many_attempts",
                       f"Too many wrong passwords; try again in {wait} s.",
                       {"Retry-After": str(wait)})
    if not await passwords.verify_password(user.password_hash, password):
        raise ApiError(403, "wrong_password", "That is not your current password.")
    await throttle.succeeded(address, user.username)


async def change_password(store: Store, throttle: LoginThrottle, address: str, user: User,
                          body: PasswordChange, keep_session: str) -> int:
    """Set the new password and end every session but this one; how many ended."""
    await _check_password(throttle, address, user, body.current)
    user.password_hash = await passwords.hash_password(body.new)
    await store.update_user(user)
    return await store.delete_user_sessions(user.username, keep=keep_session)


async def delete_account(throttle: LoginThrottle, address: str, models: ModelService,
                         user: User, password: str) -> None:
    await _check_password(throttle, address, user, password)
    await models.erase_account(user.username)


async def export(store: Store, spotify: SpotifyService, user: User) -> dict[str, Any]:
    username = user.username
    interactions = [i.to_dict() for i in await store.interactions_after(username)]
    liked: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = await store.list_likes(username, 500, cursor)
        liked += [{"track_id": like.track_id, "at": like.at} for like in page.likes]
        cursor = page.next_cursor
        if cursor is None:
            break
    model = await store.get_model(username)
    if model is not None and not model.belongs_to(user):
        model = None  # an erased account's that had the name (ModelSnapshot.owner_created_at)
    status = await spotify.status(username)
    return {
        "format": EXPORT_FORMAT,
        "exported_at": int(time.time() * 1000),
        "account": {"username": username, "display_name": user.display_name,
                    "created_at": user.created_at},
        "settings": settings_of(user),
        "spotify": {k: status[k] for k in ("connected", "display_name", "product")
                    if k in status},
        "interactions": interactions,
        "liked": liked,
        "playlists": [p.__dict__ for p in await store.list_playlists(username)],
        "taste": {
            "corrections": [c.to_dict() for c in await store.list_corrections(username)],
            "model_version": model.version if model else None,
            "model": _model_dict(model.blob) if model else None,
        },
    }


def _model_dict(blob: bytes) -> dict[str, Any] | None:
    try:
        return shared_model.decode(blob).to_dict()
    except ValueError:
        return None
