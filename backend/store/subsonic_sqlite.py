"""Subsonic links in SQLite: one row per Encore user."""

from __future__ import annotations

import json

from .areas import SQLiteArea
from .subsonic import SubsonicLink


class SubsonicSQLite(SQLiteArea):
    SCHEMA = """
    CREATE TABLE IF NOT EXISTS subsonic_links (
        username TEXT PRIMARY KEY, url TEXT NOT NULL, server_user TEXT NOT NULL,
        secret_enc BLOB NOT NULL, server TEXT NOT NULL, connected_at INTEGER NOT NULL,
        checked_at INTEGER NOT NULL
    );
    """

    async def put_subsonic_link(self, link: SubsonicLink) -> None:
        row = (link.username.lower(), link.url, link.server_user, link.secret_enc,
               json.dumps(link.server), link.connected_at, link.checked_at)
        await self._run(lambda c: c.execute(
            "INSERT OR REPLACE INTO subsonic_links VALUES (?, ?, ?, ?, ?, ?, ?)", row))

    async def get_subsonic_link(self, username: str) -> SubsonicLink | None:
        row = await self._run(lambda c: c.execute(
            "SELECT username, url, server_user, secret_enc, server, connected_at, checked_at"
            " FROM subsonic_links WHERE username = ?", (username.lower(),)).fetchone())
        if row is None:
            return None
        return SubsonicLink(row[0], row[1], row[2], bytes(row[3]), json.loads(row[4]), row[5],
                            row[6])

    async def delete_subsonic_link(self, username: str) -> bool:
        deleted = await self._run(lambda c: c.execute(
            "DELETE FROM subsonic_links WHERE username = ?", (username.lower(),)).rowcount)
        return bool(deleted)
