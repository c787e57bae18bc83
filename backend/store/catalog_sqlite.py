"""The catalog and the library file index on SQLite (mixed into SQLiteStore).

`catalog` holds one row per track, with the analysis in its own columns; `catalog_links`
finds tracks by artist, album and genre (and the ones still waiting for analysis);
`library_files` is the scanner's index; `library_state` holds small shared documents and leases.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from typing import Any

from .areas import SQLiteArea
from .catalog import CatalogTrack, LibraryFile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS catalog (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, doc TEXT NOT NULL, location TEXT NOT NULL,
    present INTEGER NOT NULL, analysis TEXT NOT NULL, features TEXT NOT NULL,
    error TEXT NOT NULL, updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS catalog_by_source ON catalog (source, id);
CREATE TABLE IF NOT EXISTS catalog_links (
    key TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (key, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS catalog_links_by_id ON catalog_links (id);
CREATE TABLE IF NOT EXISTS library_files (
    root TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    track_id TEXT NOT NULL, error TEXT NOT NULL, PRIMARY KEY (root, path)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS library_state (
    name TEXT PRIMARY KEY, doc TEXT NOT NULL, owner TEXT NOT NULL, expires REAL NOT NULL
);
"""

_COLUMNS = "id, source, doc, location, present, analysis, features, error, updated_at"
_CHUNK = 500  # SQLite's variable limit is far above this; keeps statements small


def _track(row: tuple[Any, ...]) -> CatalogTrack:
    return CatalogTrack(id=row[0], source=row[1], doc=json.loads(row[2]), location=row[3],
                        present=bool(row[4]), analysis=row[5], features=json.loads(row[6]),
                        error=row[7], updated_at=row[8])


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


class CatalogSQLite(SQLiteArea):
    SCHEMA = _SCHEMA

    async def put_catalog_tracks(self, tracks: list[CatalogTrack]) -> None:
        rows = [(t.id, t.source, t.doc_json(), t.location, int(t.present), t.analysis,
                 json.dumps(t.features), t.error, t.updated_at) for t in tracks]

        def put(c: sqlite3.Connection) -> None:
            c.executemany(
                f"INSERT INTO catalog ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET doc = excluded.doc,"
                " location = excluded.location, present = excluded.present,"
                " updated_at = excluded.updated_at", rows)
            for track in tracks:
                c.execute("DELETE FROM catalog_links WHERE id = ? AND key NOT LIKE 'pending#%'",
                          (track.id,))
                c.executemany("INSERT OR IGNORE INTO catalog_links VALUES (?, ?)",
                              [(key, track.id) for key in track.links()])
            _sync_pending(c, [t.id for t in tracks])

        await self._run(put)

    async def get_catalog_tracks(self, ids: list[str]) -> dict[str, CatalogTrack]:
        wanted = list(dict.fromkeys(ids))

        def get(c: sqlite3.Connection) -> dict[str, CatalogTrack]:
            found: dict[str, CatalogTrack] = {}
            for chunk in _chunks(wanted):
                marks = ",".join("?" * len(chunk))
                for row in c.execute(f"SELECT {_COLUMNS} FROM catalog WHERE id IN ({marks})",
                                     chunk):
                    found[row[0]] = _track(row)
            return found

        return await self._run(get)

    async def catalog_tracks(
        self, source: str, after_id: str = "", limit: int = 1000
    ) -> list[CatalogTrack]:
        rows = await self._run(lambda c: c.execute(
            f"SELECT {_COLUMNS} FROM catalog WHERE source = ? AND id > ? ORDER BY id LIMIT ?",
            (source, after_id, limit)).fetchall())
        return [_track(r) for r in rows]

    async def catalog_ids(self, link: str, limit: int = 1000) -> list[str]:
        rows = await self._run(lambda c: c.execute(
            "SELECT id FROM catalog_links WHERE key = ? ORDER BY id LIMIT ?",
            (link, limit)).fetchall())
        return [r[0] for r in rows]

    async def set_catalog_present(self, ids: list[str], present: bool, at: int) -> None:
        def update(c: sqlite3.Connection) -> None:
            c.executemany("UPDATE catalog SET present = ?, updated_at = ? WHERE id = ?",
                          [(int(present), at, i) for i in ids])
            _sync_pending(c, ids)

        await self._run(update)

    async def set_catalog_analysis(
        self, track_id: str, analysis: str, features: dict[str, float], error: str = ""
    ) -> None:
        def update(c: sqlite3.Connection) -> None:
            c.execute("UPDATE catalog SET analysis = ?, features = ?, error = ? WHERE id = ?",
                      (analysis, json.dumps(features), error, track_id))
            _sync_pending(c, [track_id])

        await self._run(update)

    async def catalog_counts(self, source: str) -> dict[str, int]:
        rows = await self._run(lambda c: c.execute(
            "SELECT analysis, COUNT(*) FROM catalog WHERE source = ? AND present = 1"
            " GROUP BY analysis", (source,)).fetchall())
        by = {r[0]: int(r[1]) for r in rows}
        return {"tracks": sum(by.values()), "analysed": by.get("done", 0),
                "pending": by.get("pending", 0), "failed": by.get("failed", 0)}

    # the file index

    async def put_library_files(self, files: list[LibraryFile]) -> None:
        rows = [(f.root, f.path, f.size, f.mtime_ns, f.track_id, f.error) for f in files]
        await self._run(lambda c: c.executemany(
            "INSERT OR REPLACE INTO library_files VALUES (?, ?, ?, ?, ?, ?)", rows))

    async def library_files(self, root: str) -> list[LibraryFile]:
        rows = await self._run(lambda c: c.execute(
            "SELECT root, path, size, mtime_ns, track_id, error FROM library_files"
            " WHERE root = ?", (root,)).fetchall())
        return [LibraryFile(*r) for r in rows]

    async def delete_library_files(self, root: str, paths: list[str]) -> None:
        await self._run(lambda c: c.executemany(
            "DELETE FROM library_files WHERE root = ? AND path = ?", [(root, p) for p in paths]))

    # shared state and leases

    async def put_library_state(self, name: str, state: dict[str, Any]) -> None:
        doc = json.dumps(state)
        await self._run(lambda c: c.execute(
            "INSERT INTO library_state VALUES (?, ?, '', 0) ON CONFLICT (name)"
            " DO UPDATE SET doc = excluded.doc", (name, doc)))

    async def get_library_state(self, name: str) -> dict[str, Any] | None:
        row = await self._run(lambda c: c.execute(
            "SELECT doc FROM library_state WHERE name = ?", (name,)).fetchone())
        return None if row is None or not row[0] else dict(json.loads(row[0]))

    async def claim_lease(self, name: str, owner: str, ttl_s: float) -> bool:
        now = time.time()
        key = f"lease#{name}"

        def claim(c: sqlite3.Connection) -> bool:
            c.execute("INSERT OR IGNORE INTO library_state VALUES (?, '', '', 0)", (key,))
            return bool(c.execute(
                "UPDATE library_state SET owner = ?, expires = ? WHERE name = ?"
                " AND (owner = ? OR owner = '' OR expires < ?)",
                (owner, now + ttl_s, key, owner, now)).rowcount)

        return await self._run(claim)

    async def release_lease(self, name: str, owner: str) -> None:
        await self._run(lambda c: c.execute(
            "UPDATE library_state SET owner = '', expires = 0 WHERE name = ? AND owner = ?",
            (f"lease#{name}", owner)))


def _sync_pending(c: sqlite3.Connection, ids: list[str]) -> None:
    """Keep `pending#<source>` links exactly on present tracks whose analysis is pending."""
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        c.execute(f"DELETE FROM catalog_links WHERE key LIKE 'pending#%' AND id IN ({marks})",
                  chunk)
        c.execute("INSERT OR IGNORE INTO catalog_links SELECT 'pending#' || source, id"
                  f" FROM catalog WHERE id IN ({marks}) AND present = 1"
                  " AND analysis = 'pending'", chunk)
