"""Playlists in SQLite: one row per playlist, the ordered track ids as a JSON array; the ids of
the last edits applied to it (so a retried "add to playlist" adds nothing) in a table beside."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .areas import SQLiteArea
from .base import PLAYLIST_EDITS_KEPT, Playlist, PlaylistConflict, PlaylistEditApplied

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
    CREATE TABLE IF NOT EXISTS playlist_edits (
        username TEXT NOT NULL, playlist_id TEXT NOT NULL, edit_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (username, playlist_id, edit_id)
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

    async def save_playlist(self, username: str, playlist: Playlist, expected_version: int,
                            edit_id: str | None = None) -> None:
        p, user = playlist, username.lower()
        args = (p.name, p.version, json.dumps(p.track_ids), p.updated_at, user, p.id,
                expected_version)

        def save(c: sqlite3.Connection) -> None:  # one transaction: the edit and its id
            if edit_id is not None and c.execute(
                    "SELECT 1 FROM playlist_edits WHERE username = ? AND playlist_id = ?"
                    " AND edit_id = ?", (user, p.id, edit_id)).fetchone():
                raise PlaylistEditApplied(f"edit {edit_id} of playlist {p.id} was applied")
            if not c.execute("UPDATE playlists SET name = ?, version = ?, track_ids = ?,"
                             " updated_at = ? WHERE username = ? AND id = ? AND version = ?",
                             args).rowcount:
                raise PlaylistConflict(f"playlist {p.id} is not at version {expected_version}")
            if edit_id is not None:
                c.execute("INSERT INTO playlist_edits VALUES (?, ?, ?, ?)",
                          (user, p.id, edit_id, p.version))
                c.execute("DELETE FROM playlist_edits WHERE username = ? AND playlist_id = ?"
                          " AND seq <= ?", (user, p.id, p.version - PLAYLIST_EDITS_KEPT))

        await self._run(save)

    async def delete_playlist(self, username: str, playlist_id: str) -> bool:
        def delete(c: sqlite3.Connection) -> int:
            c.execute("DELETE FROM playlist_edits WHERE username = ? AND playlist_id = ?",
                      (username.lower(), playlist_id))
            return int(c.execute("DELETE FROM playlists WHERE username = ? AND id = ?",
                                 (username.lower(), playlist_id)).rowcount)

        return bool(await self._run(delete))
