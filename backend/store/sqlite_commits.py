"""Group commit for the SQLite store: one fsync for every call that queued up meanwhile.

With synchronous=FULL a commit costs an fsync (milliseconds on a real disk), and the store's
one thread would make every call wait behind every earlier commit: a flood of interactions
was capped by the disk, not by the CPU. Here the thread takes all calls queued while it was
busy and runs them in one transaction, each inside its own SAVEPOINT (so one call's error
rolls back that call only, as its own transaction did), then COMMITs once. A call that
changed something is answered after that COMMIT, so "answered" still means "durable"; a call
that only read, before any write in the batch, is answered at once.

Store functions get the connection and must not commit themselves (no `with conn:`,
`conn.commit()` or `executescript`): the batch owns the transaction.
"""

from __future__ import annotations

import asyncio
import collections
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
Call = tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any]]


def _answer(future: asyncio.Future[Any], result: Any = None,
            error: BaseException | None = None) -> None:
    if future.done():  # the caller went away (cancelled)
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class GroupCommit:
    """Runs functions of the connection on its one thread, committing them in batches."""

    def __init__(self, executor: ThreadPoolExecutor, conn: sqlite3.Connection,
                 translate: Callable[[BaseException], BaseException]) -> None:
        # The connection must be in autocommit mode (isolation_level=None): the transactions
        # are this class's own BEGIN ... COMMIT.
        self._executor = executor
        self._conn = conn
        self._translate = translate  # sqlite3 errors -> the store's errors
        self._pending: collections.deque[Call] = collections.deque()
        self._lock = threading.Lock()
        self._draining = False

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._lock:
            self._pending.append((fn, future))
            start, self._draining = not self._draining, True
        if start:
            self._executor.submit(self._drain, loop)
        return await future

    def _drain(self, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._draining = False
                    return
                batch = list(self._pending)
                self._pending.clear()
            try:
                answers = self._transaction(batch)
            except BaseException as problem:  # BEGIN or COMMIT failed: nothing was written
                failed = self._translate(problem)
                answers = [(future, None, failed) for _, future in batch]
            for future, result, error in answers:
                loop.call_soon_threadsafe(_answer, future, result, error)

    def _transaction(
        self, batch: list[Call]
    ) -> list[tuple[asyncio.Future[Any], Any, BaseException | None]]:
        """Run the batch; the answers to give once it is durable (earlier ones are given
        from here)."""
        conn = self._conn
        later: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        written = False
        conn.execute("BEGIN IMMEDIATE")  # the write lock now: no upgrade that can fail later
        try:
            for fn, future in batch:
                changes = conn.total_changes
                conn.execute("SAVEPOINT call")
                try:
                    result = fn(conn)
                except BaseException as error:
                    conn.execute("ROLLBACK TO call")
                    conn.execute("RELEASE call")
                    later.append((future, None, self._translate(error)))
                    continue
                conn.execute("RELEASE call")
                if conn.total_changes != changes:
                    written = True
                if written:
                    later.append((future, result, None))
                else:  # read only, and nothing before it wrote: nothing to wait for
                    future.get_loop().call_soon_threadsafe(_answer, future, result, None)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return later
