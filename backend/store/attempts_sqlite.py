"""Login attempt counters in SQLite: one row per key (`addr:<ip>`, `user:<name>`), a fixed
window each. Taking an attempt is one UPSERT statement, atomic across every process on the
file, so concurrent logins on any web node never pass the limit between a read and a write."""

from __future__ import annotations

import sqlite3

from .areas import SQLiteArea

_PURGE_EVERY = 64  # attempts taken between two deletions of expired rows (per node)


class AttemptsSQLite(SQLiteArea):
    SCHEMA = """
    CREATE TABLE IF NOT EXISTS login_attempts (
        key TEXT PRIMARY KEY, count INTEGER NOT NULL, window_ends REAL NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS login_attempts_by_end ON login_attempts (window_ends);
    """
    _attempts_taken = 0

    async def take_attempt(self, key: str, limit: int, window_s: float, now: float) -> float:
        self._attempts_taken += 1
        purge = self._attempts_taken % _PURGE_EVERY == 0

        def take(c: sqlite3.Connection) -> float:
            if purge:
                c.execute("DELETE FROM login_attempts WHERE window_ends <= ?", (now,))
            counted = c.execute(
                "INSERT INTO login_attempts VALUES (:key, 1, :end) ON CONFLICT (key) DO UPDATE"
                " SET count = CASE WHEN window_ends <= :now THEN 1 ELSE count + 1 END,"
                "     window_ends = CASE WHEN window_ends <= :now THEN :end ELSE window_ends END"
                " WHERE window_ends <= :now OR count < :limit",
                {"key": key, "end": now + window_s, "now": now, "limit": limit}).rowcount
            if counted:
                return 0.0
            row = c.execute("SELECT window_ends FROM login_attempts WHERE key = ?",
                            (key,)).fetchone()
            return max(0.0, float(row[0]) - now) if row else 0.0

        return await self._run(take)

    async def give_back_attempt(self, key: str, now: float) -> None:
        await self._run(lambda c: c.execute(
            "UPDATE login_attempts SET count = count - 1"
            " WHERE key = ? AND count > 0 AND window_ends > ?", (key, now)))

    async def purge_attempts(self, now: float) -> int:
        return int(await self._run(lambda c: c.execute(
            "DELETE FROM login_attempts WHERE window_ends <= ?", (now,)).rowcount))

    async def count_attempt_keys(self) -> int:
        row = await self._run(lambda c: c.execute(
            "SELECT COUNT(*) FROM login_attempts").fetchone())
        return int(row[0])
