"""Liked songs in SQLite: one row per (user, track), ordered by the time of the like."""

from __future__ import annotations

import sqlite3
from typing import Any

from .areas import SQLiteArea
from .base import Like, LikePage, decode_cursor, encode_cursor


class LikesSQLite(SQLiteArea):
    SCHEMA = """
    CREATE TABLE IF NOT EXISTS likes (
        username TEXT NOT NULL, track_id TEXT NOT NULL, at INTEGER NOT NULL, sk TEXT NOT NULL,
        PRIMARY KEY (username, track_id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS likes_by_sk ON likes (username, sk);
    """

    async def put_likes(self, username: str, likes: list[Like]) -> None:
        rows = [(username.lower(), like.track_id, like.at, like.sort_key()) for like in likes]
        await self._run(lambda c: c.executemany(
            "INSERT INTO likes VALUES (?, ?, ?, ?) ON CONFLICT (username, track_id)"
            " DO UPDATE SET at = excluded.at, sk = excluded.sk WHERE excluded.at > likes.at",
            rows))

    async def delete_like(self, username: str, track_id: str) -> bool:
        deleted = await self._run(lambda c: c.execute(
            "DELETE FROM likes WHERE username = ? AND track_id = ?",
            (username.lower(), track_id)).rowcount)
        return bool(deleted)

    async def list_likes(self, username: str, limit: int, cursor: str | None = None) -> LikePage:
        before = decode_cursor(cursor) if cursor else None
        sql = "SELECT track_id, at FROM likes WHERE username = ?"
        args: list[Any] = [username.lower()]
        if before is not None:
            sql += " AND sk < ?"
            args.append(before)
        sql += " ORDER BY sk DESC LIMIT ?"
        args.append(limit + 1)
        rows = await self._run(lambda c: c.execute(sql, args).fetchall())
        page = [Like(r[0], r[1]) for r in rows[:limit]]
        more = len(rows) > limit and bool(page)
        return LikePage(page, encode_cursor(page[-1].sort_key()) if more else None)

    async def liked_among(self, username: str, track_ids: list[str]) -> set[str]:
        ids = list(dict.fromkeys(track_ids))

        def find(c: sqlite3.Connection) -> set[str]:
            found: set[str] = set()
            for start in range(0, len(ids), 500):  # below SQLite's bound-parameter limit
                chunk = ids[start:start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(r[0] for r in c.execute(
                    f"SELECT track_id FROM likes WHERE username = ? AND track_id IN ({marks})",
                    [username.lower(), *chunk]))
            return found

        return await self._run(find) if ids else set()
