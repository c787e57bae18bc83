"""Storage: one async interface (`base.Store`), SQLite by default, DynamoDB for scale-out."""

from __future__ import annotations

from typing import Any

from .base import (
    Correction,
    Interaction,
    InteractionPage,
    Like,
    LikePage,
    ModelConflict,
    ModelSnapshot,
    Playlist,
    PlaylistConflict,
    PutResult,
    Session,
    SpotifyLink,
    Store,
    StoreError,
    StoreUnavailable,
    User,
    UsernameTaken,
)

__all__ = [
    "Correction",
    "Interaction",
    "InteractionPage",
    "Like",
    "LikePage",
    "ModelConflict",
    "ModelSnapshot",
    "Playlist",
    "PlaylistConflict",
    "PutResult",
    "Session",
    "SpotifyLink",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "User",
    "UsernameTaken",
    "make_store",
]


def make_store(config: dict[str, Any]) -> Store:
    """The store the configuration names (`STORE`: sqlite | dynamodb); not yet opened."""
    kind = config.get("STORE", "sqlite")
    if kind == "sqlite":
        from .sqlite import SQLiteStore

        return SQLiteStore(config["DATA_DIR"] / "encore.sqlite3")
    if kind == "dynamodb":
        from .dynamodb import DynamoDBStore

        return DynamoDBStore(
            endpoint_url=config.get("DYNAMODB_ENDPOINT") or None,
            region=config.get("DYNAMODB_REGION", "us-east-1"),
            table_prefix=config.get("DYNAMODB_TABLE_PREFIX", ""),
        )
    raise ValueError(f"ENCORE_STORE must be sqlite or dynamodb, not {kind!r}")
