"""How the store grows by area without one file per backend growing forever.

Each area (playlists, taste, catalog, ...) lives in its own pair of modules,
`backend/store/<area>_sqlite.py` and `<area>_dynamodb.py`, whose classes are mixed into
`SQLiteStore` and `DynamoDBStore`. An area class declares the tables it needs (`SCHEMA` for
SQLite, `TABLES` for DynamoDB); the store creates them on `open()` next to its own. The bases
below only declare the plumbing the store class provides, so the mixins type-check alone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from typing import Any, ClassVar, TypeVar

T = TypeVar("T")
Item = dict[str, dict[str, Any]]  # a DynamoDB item in the low-level attribute-value form
KeySchema = list[tuple[str, str]]  # [(attribute, HASH|RANGE)]


def own_values(cls: type, name: str) -> list[Any]:
    """`name` as defined on each class of `cls`'s MRO (base classes first), inherited
    values not repeated: what every area mixed into a store declares."""
    return [k.__dict__[name] for k in reversed(cls.__mro__) if name in k.__dict__]


class SQLiteArea:
    SCHEMA: ClassVar[str] = ""  # CREATE TABLE / INDEX IF NOT EXISTS ... run on open()

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        raise NotImplementedError  # SQLiteStore: one transaction on the store's thread


class DynamoArea:
    TABLES: ClassVar[dict[str, KeySchema]] = {}  # logical name -> key schema (string keys)

    def _t(self, name: str) -> str:
        raise NotImplementedError  # the table's real name (with the configured prefix)

    async def _call(self, op: str, **kwargs: Any) -> dict[str, Any]:
        raise NotImplementedError

    async def _get(self, table: str, key: Item, **kwargs: Any) -> Item | None:
        raise NotImplementedError  # None also when no item could have that key (_findable)

    def _findable(self, table: str, key: Item) -> bool:
        raise NotImplementedError  # False: empty, or over DynamoDB's key size limits

    async def _put_if_absent(self, table: str, item: Item, key: str) -> bool:
        raise NotImplementedError

    def _query(self, limit: int | None = None, **kwargs: Any) -> AsyncIterator[Item]:
        raise NotImplementedError

    async def _batch_put(self, table: str, items: list[Item]) -> None:
        raise NotImplementedError

    async def _batch_delete(self, table: str, keys: list[Item]) -> None:
        raise NotImplementedError


def s(value: str) -> dict[str, str]:
    return {"S": value}


def n(value: int) -> dict[str, str]:
    return {"N": str(int(value))}
