"""The embedded store: one SQLite file in WAL mode, synchronous=FULL (a commit is durable).

The sqlite3 module blocks, so every call runs on one dedicated thread that owns the one
connection: calls are serialised, the event loop never waits on the disk, and nothing is
shared between threads. Calls that queue up while a commit is on its way to the disk share
the next commit (`sqlite_commits.py`), so the disk does not cap how many writes a second fit.
Several processes may open the same file; `busy_timeout` makes them take turns on the write
lock.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from .account_sqlite import AccountSQLite
from .areas import SQLiteArea, own_values
from .attempts_sqlite import AttemptsSQLite
from .base import (
    MAX_MODEL_BLOB_BYTES,
    Interaction,
    InteractionPage,
    ModelConflict,
    ModelSnapshot,
    PutResult,
    Session,
    SpotifyLink,
    StoreError,
    StoreUnavailable,
    User,
    UsernameTaken,
    decode_cursor,
    encode_cursor,
)
from .catalog_sqlite import CatalogSQLite
from .likes_sqlite import LikesSQLite
from .playlists_sqlite import PlaylistsSQLite
from .search_sqlite import SearchSQLite
from .sqlite_commits import GroupCommit
from .subsonic_sqlite import SubsonicSQLite
from .taste_sqlite import TasteSQLite

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, display_name TEXT NOT NULL,
    settings TEXT NOT NULL, created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    sid_hash TEXT PRIMARY KEY, username TEXT NOT NULL, expires_at INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS interactions (
    username TEXT NOT NULL, id TEXT NOT NULL, sk TEXT NOT NULL, track_id TEXT NOT NULL,
    type TEXT NOT NULL, position_ms INTEGER NOT NULL, duration_ms INTEGER NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (username, id)
) WITHOUT ROWID;
-- paging and replay order: newest/oldest first by sort key within one user
CREATE UNIQUE INDEX IF NOT EXISTS interactions_by_sk ON interactions (username, sk);
CREATE TABLE IF NOT EXISTS models (
    username TEXT PRIMARY KEY, version INTEGER NOT NULL, blob BLOB NOT NULL,
    updated_at INTEGER NOT NULL, owner_created_at INTEGER
);
CREATE TABLE IF NOT EXISTS spotify_links (
    username TEXT PRIMARY KEY, access_token_enc BLOB NOT NULL, refresh_token_enc BLOB NOT NULL,
    expires_at INTEGER NOT NULL, scope TEXT NOT NULL, spotify_id TEXT NOT NULL,
    display_name TEXT NOT NULL, product TEXT NOT NULL, authorized_at INTEGER NOT NULL,
    unavailable TEXT NOT NULL
);
"""

_INTERACTION_COLUMNS = "id, track_id, type, position_ms, duration_ms, at"
_USER_COLUMNS = "username, password_hash, display_name, settings, created_at"
# Errors that mean "the database cannot be used right now" rather than "this request is wrong".
_UNAVAILABLE_HINTS = ("unable to open", "disk i/o", "database is locked", "disk is full",
                      "readonly database", "no such table")


def _user(row: Any) -> User:
    return User(row[0], row[1], row[2], json.loads(row[3]), row[4])


def _add_owner_column(conn: sqlite3.Connection) -> None:
    """A file made before snapshots recorded their owner gains the column (its snapshots
    read as the name's holder's, as before)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(models)")}
    if "owner_created_at" in columns:
        return
    try:
        conn.execute("ALTER TABLE models ADD COLUMN owner_created_at INTEGER")
    except sqlite3.OperationalError as e:  # another process sharing the file added it first
        if "duplicate column" not in str(e).lower():
            raise


def _caused(error: StoreError, cause: BaseException) -> StoreError:
    error.__cause__ = cause
    return error


class SQLiteStore(  # the areas mixed in, one per line (see areas.py)
    AttemptsSQLite,
    LikesSQLite,
    SubsonicSQLite,
    CatalogSQLite,
    PlaylistsSQLite,
    TasteSQLite,
    AccountSQLite,
    SearchSQLite,
    SQLiteArea,
):
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._executor: ThreadPoolExecutor | None = None
        self._conn: sqlite3.Connection | None = None
        self._commits: GroupCommit | None = None

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """fn(conn) on the store's thread, as one transaction of its own (rolled back if it
        raises), committed durably before this returns; calls that queue up meanwhile share
        one commit (sqlite_commits.GroupCommit)."""
        if self._commits is None:
            raise StoreUnavailable("the SQLite store is not open")
        return await self._commits.run(fn)

    def _error(self, e: BaseException) -> BaseException:
        """The store's error for a sqlite3 one (others are passed on as they are)."""
        if isinstance(e, sqlite3.OperationalError):
            if any(h in str(e).lower() for h in _UNAVAILABLE_HINTS):
                return _caused(StoreUnavailable(f"SQLite {self.path}: {e}"), e)
            return _caused(StoreError(f"SQLite {self.path}: {e}"), e)
        if isinstance(e, sqlite3.IntegrityError):
            return _caused(StoreError(f"SQLite {self.path}: {e}"), e)
        if isinstance(e, sqlite3.DatabaseError):
            return _caused(StoreUnavailable(f"SQLite {self.path}: {e}"), e)
        return e

    async def open(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-store")

        def connect() -> sqlite3.Connection:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=5.0)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                conn.executescript(_SCHEMA)
                _add_owner_column(conn)
                for schema in own_values(type(self), "SCHEMA"):  # the areas mixed in
                    conn.executescript(schema)
                conn.isolation_level = None  # GroupCommit opens and commits transactions
                return conn
            except (OSError, sqlite3.Error) as e:
                raise StoreUnavailable(f"cannot open SQLite store {self.path}: {e}") from e

        try:
            self._conn = await asyncio.get_running_loop().run_in_executor(self._executor, connect)
            self._commits = GroupCommit(self._executor, self._conn, self._error)
        except BaseException:
            self._executor.shutdown(wait=False)
            self._executor = None
            raise

    async def close(self) -> None:
        if self._executor is None:
            return
        conn, self._conn, self._commits = self._conn, None, None
        if conn is not None:
            await asyncio.get_running_loop().run_in_executor(self._executor, conn.close)
        self._executor.shutdown(wait=True)
        self._executor = None

    async def ping(self) -> None:
        await self._run(lambda c: c.execute("SELECT 1").fetchone())

    # users

    async def create_user(self, user: User) -> None:
        row = (user.username.lower(), user.password_hash, user.display_name,
               json.dumps(user.settings), user.created_at)
        inserted = await self._run(lambda c: c.execute(
            "INSERT OR IGNORE INTO users VALUES (?, ?, ?, ?, ?)", row).rowcount)
        if not inserted:
            raise UsernameTaken(user.username)

    async def get_user(self, username: str) -> User | None:
        row = await self._run(lambda c: c.execute(
            f"SELECT {_USER_COLUMNS} FROM users WHERE username = ?",
            (username.lower(),)).fetchone())
        return None if row is None else _user(row)

    async def update_user(self, user: User) -> None:
        args = (user.password_hash, user.display_name, json.dumps(user.settings),
                user.username.lower())
        changed = await self._run(lambda c: c.execute(
            "UPDATE users SET password_hash = ?, display_name = ?, settings = ?"
            " WHERE username = ?", args).rowcount)
        if not changed:
            raise StoreError(f"no user {user.username!r}")

    # sessions

    async def put_session(self, session: Session) -> None:
        row = (session.sid_hash, session.username, session.expires_at, json.dumps(session.data))
        await self._run(lambda c: c.execute(
            "INSERT OR REPLACE INTO sessions VALUES (?, ?, ?, ?)", row))

    async def get_session(self, sid_hash: str) -> Session | None:
        now = int(time.time())

        def get(c: sqlite3.Connection) -> Any:
            # expired sessions are dropped when someone asks for them
            c.execute("DELETE FROM sessions WHERE sid_hash = ? AND expires_at <= ?",
                      (sid_hash, now))
            return c.execute("SELECT sid_hash, username, expires_at, data FROM sessions"
                             " WHERE sid_hash = ?", (sid_hash,)).fetchone()

        row = await self._run(get)
        return None if row is None else Session(row[0], row[1], row[2], json.loads(row[3]))

    async def get_signed_in(
        self, sid_hash: str, username_hint: str | None = None
    ) -> tuple[Session, User] | None:
        # one SQL transaction finds the user from the session: the hint is not needed
        now = int(time.time())

        def get(c: sqlite3.Connection) -> Any:
            c.execute("DELETE FROM sessions WHERE sid_hash = ? AND expires_at <= ?",
                      (sid_hash, now))
            session = c.execute("SELECT sid_hash, username, expires_at, data FROM sessions"
                                " WHERE sid_hash = ?", (sid_hash,)).fetchone()
            user = session and c.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE username = ?",
                                         (session[1].lower(),)).fetchone()
            return session, user

        session, user = await self._run(get)  # one trip to the store's thread for both
        if not session or not user:
            return None
        return Session(session[0], session[1], session[2], json.loads(session[3])), _user(user)

    async def delete_session(self, sid_hash: str) -> None:
        await self._run(lambda c: c.execute("DELETE FROM sessions WHERE sid_hash = ?",
                                            (sid_hash,)))

    # interactions

    async def put_interactions(self, username: str, items: list[Interaction]) -> PutResult:
        user = username.lower()

        def put(c: sqlite3.Connection) -> PutResult:
            result = PutResult(accepted=[], duplicates=[])
            for it in items:
                inserted = c.execute(
                    "INSERT OR IGNORE INTO interactions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (user, it.id, it.sort_key(), it.track_id, it.type, it.position_ms,
                     it.duration_ms, it.at)).rowcount
                (result.accepted if inserted else result.duplicates).append(it.id)
            return result

        return await self._run(put)  # committed (and fsynced) before this returns

    async def list_interactions(
        self, username: str, limit: int, cursor: str | None = None
    ) -> InteractionPage:
        before = decode_cursor(cursor) if cursor else None
        sql = f"SELECT {_INTERACTION_COLUMNS} FROM interactions WHERE username = ?"
        args: list[Any] = [username.lower()]
        if before is not None:
            sql += " AND sk < ?"
            args.append(before)
        sql += " ORDER BY sk DESC LIMIT ?"
        args.append(limit + 1)  # one extra row tells whether another page exists
        rows = await self._run(lambda c: c.execute(sql, args).fetchall())
        page = [Interaction(*r) for r in rows[:limit]]
        more = len(rows) > limit and bool(page)
        return InteractionPage(page, encode_cursor(page[-1].sort_key()) if more else None)

    async def interactions_after(
        self, username: str, after_sort_key: str | None = None
    ) -> list[Interaction]:
        rows = await self._run(lambda c: c.execute(
            f"SELECT {_INTERACTION_COLUMNS} FROM interactions WHERE username = ? AND sk > ?"
            " ORDER BY sk", (username.lower(), after_sort_key or "")).fetchall())
        return [Interaction(*r) for r in rows]

    async def count_interactions(self, username: str) -> int:
        row = await self._run(lambda c: c.execute(
            "SELECT COUNT(*) FROM interactions WHERE username = ?",
            (username.lower(),)).fetchone())
        return int(row[0])

    # model snapshots

    async def put_model(self, snapshot: ModelSnapshot, expected_version: int) -> None:
        if len(snapshot.blob) > MAX_MODEL_BLOB_BYTES:
            raise StoreError(f"model snapshot of {len(snapshot.blob)} bytes exceeds the "
                             f"{MAX_MODEL_BLOB_BYTES}-byte limit")
        user = snapshot.username.lower()

        def put(c: sqlite3.Connection) -> int:
            # one statement each way, so the check and the write are one atomic step
            if expected_version == 0:
                return c.execute("INSERT OR IGNORE INTO models VALUES (?, ?, ?, ?, ?)",
                                 (user, snapshot.version, snapshot.blob, snapshot.updated_at,
                                  snapshot.owner_created_at)).rowcount
            return c.execute("UPDATE models SET version = ?, blob = ?, updated_at = ?,"
                             " owner_created_at = ? WHERE username = ? AND version = ?",
                             (snapshot.version, snapshot.blob, snapshot.updated_at,
                              snapshot.owner_created_at, user, expected_version)).rowcount

        if not await self._run(put):
            raise ModelConflict(f"{user}'s model is no longer version {expected_version}")

    async def get_model(self, username: str) -> ModelSnapshot | None:
        row = await self._run(lambda c: c.execute(
            "SELECT username, version, blob, updated_at, owner_created_at FROM models"
            " WHERE username = ?", (username.lower(),)).fetchone())
        return None if row is None else ModelSnapshot(row[0], row[1], bytes(row[2]), row[3],
                                                      row[4])

    async def delete_model(self, username: str, version: int) -> bool:
        deleted = await self._run(lambda c: c.execute(
            "DELETE FROM models WHERE username = ? AND version = ?",
            (username.lower(), version)).rowcount)
        return bool(deleted)

    async def get_model_version(self, username: str) -> int | None:
        row = await self._run(lambda c: c.execute(
            "SELECT version FROM models WHERE username = ?", (username.lower(),)).fetchone())
        return None if row is None else int(row[0])

    # spotify

    async def put_spotify_link(self, link: SpotifyLink) -> None:
        row = (link.username.lower(), link.access_token_enc, link.refresh_token_enc,
               link.expires_at, link.scope, link.spotify_id, link.display_name, link.product,
               link.authorized_at, json.dumps(link.unavailable))
        await self._run(lambda c: c.execute(
            "INSERT OR REPLACE INTO spotify_links VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row))

    async def get_spotify_link(self, username: str) -> SpotifyLink | None:
        row = await self._run(lambda c: c.execute(
            "SELECT username, access_token_enc, refresh_token_enc, expires_at, scope,"
            " spotify_id, display_name, product, authorized_at, unavailable"
            " FROM spotify_links WHERE username = ?", (username.lower(),)).fetchone())
        if row is None:
            return None
        return SpotifyLink(row[0], bytes(row[1]), bytes(row[2]), row[3], row[4], row[5],
                           row[6], row[7], row[8], json.loads(row[9]))

    async def delete_spotify_link(self, username: str) -> None:
        await self._run(lambda c: c.execute("DELETE FROM spotify_links WHERE username = ?",
                                            (username.lower(),)))
