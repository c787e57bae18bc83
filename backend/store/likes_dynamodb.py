"""Liked songs in DynamoDB (table Likes, PK username, SK sk).

Two items per liked track, as the interactions keep theirs: the *pointer* `T#<track id>`
holding the time of the like (for unlike and "is it liked"), and the *entry*
`<at, 13 digits>#<track id>` that pages newest first. Entries start with a digit and pointers
with "T", so listing asks for `sk < ":"` and never sees a pointer.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .areas import DynamoArea, Item, n, s
from .base import Like, LikePage, decode_cursor, encode_cursor

_POINTER = "T#"
_ENTRIES_END = ":"


class LikesDynamo(DynamoArea):
    TABLES = {"Likes": [("username", "HASH"), ("sk", "RANGE")]}

    def _key(self, user: str, sk: str) -> Item:
        return {"username": s(user), "sk": s(sk)}

    async def put_likes(self, username: str, likes: list[Like]) -> None:
        user = username.lower()
        newest: dict[str, Like] = {}
        for like in likes:
            if like.track_id not in newest or like.at > newest[like.track_id].at:
                newest[like.track_id] = like
        for like in newest.values():
            pointer = await self._get("Likes", self._key(user, _POINTER + like.track_id))
            old_at = int(pointer["at"]["N"]) if pointer else None
            if old_at is not None and old_at >= like.at:
                continue
            # entry first, pointer second: a crash in between leaves a spare entry, never a
            # pointer without its entry
            await self._batch_put("Likes", [
                {**self._key(user, like.sort_key()), "track_id": s(like.track_id),
                 "at": n(like.at)},
                {**self._key(user, _POINTER + like.track_id), "at": n(like.at)}])
            if old_at is not None:
                old = Like(like.track_id, old_at)
                await self._batch_delete("Likes", [self._key(user, old.sort_key())])

    async def delete_like(self, username: str, track_id: str) -> bool:
        user = username.lower()
        pointer = await self._get("Likes", self._key(user, _POINTER + track_id))
        if pointer is None:
            return False
        entry = Like(track_id, int(pointer["at"]["N"])).sort_key()
        await self._batch_delete("Likes", [self._key(user, _POINTER + track_id),
                                           self._key(user, entry)])
        return True

    async def list_likes(self, username: str, limit: int, cursor: str | None = None) -> LikePage:
        below = decode_cursor(cursor) if cursor else _ENTRIES_END
        query: dict[str, Any] = {
            "TableName": self._t("Likes"), "ScanIndexForward": False,
            "KeyConditionExpression": "username = :u AND sk < :hi",
            "ExpressionAttributeValues": {":u": s(username.lower()), ":hi": s(below)}}
        rows = [Like(i["track_id"]["S"], int(i["at"]["N"]))
                async for i in self._query(limit + 1, **query)]
        page = rows[:limit]
        more = len(rows) > limit and bool(page)
        return LikePage(page, encode_cursor(page[-1].sort_key()) if more else None)

    async def liked_among(self, username: str, track_ids: list[str]) -> set[str]:
        user = username.lower()
        ids = list(dict.fromkeys(track_ids))
        limit = asyncio.Semaphore(16)

        async def liked(track_id: str) -> bool:
            async with limit:
                return await self._get("Likes", self._key(user, _POINTER + track_id),
                                       ProjectionExpression="sk") is not None

        found = await asyncio.gather(*(liked(t) for t in ids))
        return {t for t, yes in zip(ids, found, strict=True) if yes}
