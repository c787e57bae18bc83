"""A user's account as a whole in SQLite: ending all their sessions, erasing all their data.

Erasure is generic: every table with a `username` column loses the user's rows, so a table
another area adds later is covered without a change here.
"""

from __future__ import annotations

import sqlite3

from .areas import SQLiteArea


class AccountSQLite(SQLiteArea):
    async def delete_user_sessions(self, username: str, keep: str | None = None) -> int:
        ended = await self._run(lambda c: c.execute(
            "DELETE FROM sessions WHERE username = ? AND sid_hash != ?",
            (username.lower(), keep or "")).rowcount)
        return int(ended)

    async def delete_user_data(self, username: str) -> None:
        user = username.lower()

        def erase(c: sqlite3.Connection) -> None:
            tables = [r[0] for r in c.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%'")]
            for table in tables:
                columns = {r[1] for r in c.execute(f'PRAGMA table_info("{table}")')}
                if "username" in columns:
                    c.execute(f'DELETE FROM "{table}" WHERE username = ?', (user,))
            if "login_attempts" in tables:  # the account's sign-in counter (throttle.py's key)
                c.execute("DELETE FROM login_attempts WHERE key = ?", (f"user:{user}",))

        await self._run(erase)  # one transaction: all of it or nothing
