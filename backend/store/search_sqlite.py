"""Search in SQLite: an FTS5 table (trigram tokenizer) over the folded name, artists and album
of every track search can find, kept in step with the catalog by its `updated_at`.

The trigram tokenizer matches any three letters anywhere, so a query's trigrams OR-ed find the
tracks sharing most of them first: prefixes, words inside words and typos alike; the scorer in
backend/search/text.py then decides. Text is folded in Python before it is stored (this SQLite
has no `remove_diacritics` for trigrams), so "beyonce" finds "Beyoncé".
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .areas import SQLiteArea

SearchRow = tuple[str, str, str, str, dict[str, Any]]  # id, name, artists, album, meta


class SearchSQLite(SQLiteArea):
    SCHEMA = """
    CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
        id UNINDEXED, name, artists, album, meta UNINDEXED, tokenize = 'trigram'
    );
    CREATE TABLE IF NOT EXISTS search_state (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    """

    async def put_search_rows(self, rows: list[SearchRow], gone: list[str]) -> None:
        """Index these tracks (replacing what was indexed under their ids) and drop `gone`."""
        def put(c: sqlite3.Connection) -> None:
            ids = [r[0] for r in rows] + gone
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                c.execute(f"DELETE FROM search_fts WHERE id IN ({','.join('?' * len(chunk))})",
                          chunk)
            c.executemany("INSERT INTO search_fts VALUES (?, ?, ?, ?, ?)",
                          [(i, n, a, al, json.dumps(m, separators=(",", ":")))
                           for i, n, a, al, m in rows])

        await self._run(put)

    async def search_rows(self, grams: list[str], short: list[str], limit: int,
                          sources: tuple[str, ...] | None = None) -> list[SearchRow]:
        """Candidates: the tracks sharing most trigrams with the query (best first), or, for a
        query of words under three letters, those with a word starting so; of `sources` only
        when given (an id starts with its source's name)."""
        of_sources = ("" if sources is None else
                      " AND (" + (" OR ".join("substr(id, 1, ?) = ?" for _ in sources) or "0")
                      + ")")
        source_args: list[Any] = [a for s in sources or () for a in (len(s) + 1, f"{s}-")]

        def find(c: sqlite3.Connection) -> list[Any]:
            if grams:
                match = " OR ".join('"' + g.replace('"', '""') + '"' for g in sorted(grams))
                return c.execute(
                    "SELECT id, name, artists, album, meta FROM search_fts WHERE search_fts"
                    f" MATCH ?{of_sources} ORDER BY rank LIMIT ?",
                    (match, *source_args, limit)).fetchall()
            clauses, args = [], []
            for word in short:
                like = [f"{column} LIKE ? OR {column} LIKE ?"
                        for column in ("name", "artists", "album")]
                clauses.append("(" + " OR ".join(like) + ")")
                for _ in range(3):
                    args += [f"{word}%", f"% {word}%"]
            return c.execute(
                "SELECT id, name, artists, album, meta FROM search_fts WHERE "
                + " AND ".join(clauses) + of_sources + " LIMIT ?",
                (*args, *source_args, limit)).fetchall()

        found = await self._run(find)
        return [(r[0], r[1], r[2], r[3], json.loads(r[4])) for r in found]

    async def search_state(self, name: str) -> str | None:
        row = await self._run(lambda c: c.execute(
            "SELECT value FROM search_state WHERE name = ?", (name,)).fetchone())
        return None if row is None else str(row[0])

    async def set_search_state(self, name: str, value: str) -> None:
        await self._run(lambda c: c.execute(
            "INSERT OR REPLACE INTO search_state VALUES (?, ?)", (name, value)))

    async def catalog_changes(self, after: tuple[int, str],
                              limit: int) -> list[tuple[str, str, bool, int]]:
        """(id, doc, present, updated_at) of catalog tracks changed after `after` (an
        (updated_at, id) pair: a scan writes many tracks in one millisecond), oldest change
        first: the catalog's own table (store/catalog_sqlite.py), read in place."""
        def read(c: sqlite3.Connection) -> list[Any]:
            exists = c.execute("SELECT 1 FROM sqlite_master WHERE type = 'table'"
                               " AND name = 'catalog'").fetchone()
            if not exists:
                return []
            c.execute("CREATE INDEX IF NOT EXISTS catalog_by_update ON catalog (updated_at, id)")
            return c.execute("SELECT id, doc, present, updated_at FROM catalog"
                             " WHERE updated_at > ? OR (updated_at = ? AND id > ?)"
                             " ORDER BY updated_at, id LIMIT ?",
                             (after[0], after[0], after[1], limit)).fetchall()

        return [(r[0], r[1], bool(r[2]), int(r[3])) for r in await self._run(read)]
