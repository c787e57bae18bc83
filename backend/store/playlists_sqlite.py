"""Playlists in SQLite: one row per playlist, the ordered track ids as a JSON array."""

from __future__ import annotations

import json
from typing import Any

from .areas import SQLiteArea
from .base import Playlist, PlaylistConflict

_COLUMNS = "id, name, version, track_ids, created_at, updated_at, source, source_id"


def _playlist(row: Any) -> Playlist:
    return Playlist(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5], row[6], row[7])


class PlaylistsSQLite(SQLiteArea):
    SCHEMA = """
    CREATE TABLE IF NOT EXISTS playlists (
        username TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL,
        track_ids TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
        source TEXT NOT NULL, source_id TEXT NOT NULL,
        PRIMARY KEY (username, id)
    ) WITHOUT ROWID;
    """

    async def create_playlist(self, username: str, playlist: Playlist) -> None:
        p = playlist
        row = (username.lower(), p.id, p.name, p.version, json.dumps(p.track_ids), p.created_at,
               p.updated_at, p.source, p.source_id)
        await self._run(lambda c: c.execute(
            f"INSERT INTO playlists (username, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row))

    async def list_playlists(self, username: str) -> list[Playlist]:
        rows = await self._run(lambda c: c.execute(
            f"SELECT {_COLUMNS} FROM playlists WHERE username = ? ORDER BY created_at, id",
            (username.lower(),)).fetchall())
        return [_playlist(r) for r in rows]

    async def get_playlist(self, username: str, playlist_id: str) -> Playlist | None:
        row = await self._run(lambda c: c.execute(
            f"SELECT {_COLUMNS} FROM playlists WHERE username = ? AND id = ?",
            (username.lower(), playlist_id)).fetchone())
        return None if row is None else _playlist(row)

    async def save_playlist(self, username: str, playlist: Playlist, expected_version: int) -> None:
        p = playlist
        args = (p.name, p.version, json.dumps(p.track_ids), p.updated_at, username.lower(), p.id,
                expected_version)
        changed = await self._run(lambda c: c.execute(
            "UPDATE playlists SET name = ?, version = ?, track_ids = ?, updated_at = ?"
            " WHERE username = ? AND id = ? AND version = ?", args).rowcount)
        if not changed:
            raise PlaylistConflict(f"playlist {p.id} is not at version {expected_version}")

    async def delete_playlist(self, username: str, playlist_id: str) -> bool:
        deleted = await self._run(lambda c: c.execute(
            "DELETE FROM playlists WHERE username = ? AND id = ?",
            (username.lower(), playlist_id)).rowcount)
        return bool(deleted)
