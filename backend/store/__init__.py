"""Storage: one async interface (`base.Store`), SQLite by default, DynamoDB for scale-out."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import Settings

from .base import (
    MAX_PLAYLIST_TRACKS,
    Correction,
    Interaction,
    InteractionPage,
    Like,
    LikePage,
    ModelConflict,
    ModelSnapshot,
    Playlist,
    PlaylistConflict,
    PlaylistEditApplied,
    PutResult,
    Session,
    SpotifyLink,
    Store,
    StoreError,
    StoreUnavailable,
    User,
    UsernameTaken,
)
from .subsonic import SubsonicLink

__all__ = [
    "MAX_PLAYLIST_TRACKS",
    "Correction",
    "Interaction",
    "InteractionPage",
    "Like",
    "LikePage",
    "ModelConflict",
    "ModelSnapshot",
    "Playlist",
    "PlaylistConflict",
    "PlaylistEditApplied",
    "PutResult",
    "Session",
    "SpotifyLink",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "SubsonicLink",
    "User",
    "UsernameTaken",
    "make_store",
]


def make_store(settings: Settings) -> Store:
    """The store the settings name (`store`: sqlite | dynamodb); not yet opened."""
    if settings.store == "sqlite":
        from .sqlite import SQLiteStore

        return SQLiteStore(settings.data_dir / "encore.sqlite3")
    from .dynamodb import DynamoDBStore

    return DynamoDBStore(
        endpoint_url=settings.dynamodb_endpoint,
        region=settings.dynamodb_region,
        table_prefix=settings.dynamodb_table_prefix,
    )
