"""The listener's taste corrections in SQLite, stored once by id."""

from __future__ import annotations

from .areas import SQLiteArea
from .base import Correction


class TasteSQLite(SQLiteArea):
    SCHEMA = """
    CREATE TABLE IF NOT EXISTS corrections (
        username TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (username, id)
    ) WITHOUT ROWID;
    """

    async def put_correction(self, username: str, correction: Correction) -> bool:
        c = correction
        row = (username.lower(), c.id, c.kind, c.target, c.at)
        inserted = await self._run(lambda conn: conn.execute(
            "INSERT OR IGNORE INTO corrections VALUES (?, ?, ?, ?, ?)", row).rowcount)
        return bool(inserted)

    async def list_corrections(self, username: str) -> list[Correction]:
        rows = await self._run(lambda c: c.execute(
            "SELECT id, kind, target, at FROM corrections WHERE username = ? ORDER BY at, id",
            (username.lower(),)).fetchall())
        return [Correction(*r) for r in rows]
