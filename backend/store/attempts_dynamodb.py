"""Login attempt counters in DynamoDB (table LoginAttempts, PK key): one item per key with a
count and the end of its fixed window, changed only by conditional writes, so every web node
on the table shares one limit and concurrent attempts never pass it.

Taking an attempt: (1) add one if the window runs and the count is below the limit; else
(2) start a new window if there is none or it ended; else the limit is reached (the item says
until when). Two nodes racing at (2) are both conditional: one starts the window, the other
goes round again and counts on it. Items carry `expires_at` (epoch s) for DynamoDB's TTL,
which the store switches on for the table; `purge_attempts` deletes ended windows where TTL
is not available (dynalite).
"""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import ClientError

from .areas import DynamoArea, Item, s
from .base import StoreError

log = logging.getLogger("encore.store")
_ROUNDS = 5  # conditional writes lost to other nodes before answering "wait a second"


def _f(value: float) -> dict[str, str]:
    return {"N": f"{value:.3f}"}


class AttemptsDynamo(DynamoArea):
    TABLES = {"LoginAttempts": [("key", "HASH")]}
    _ttl_asked = False

    async def _ask_for_ttl(self) -> None:
        """Switch on DynamoDB's TTL for the table, once per process (best effort)."""
        self._ttl_asked = True
        try:
            await self._call(
                "update_time_to_live", TableName=self._t("LoginAttempts"),
                TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"})
        except (StoreError, ClientError) as error:  # already on, or not offered (dynalite)
            log.debug("TTL on LoginAttempts not switched on: %s", error)

    async def take_attempt(self, key: str, limit: int, window_s: float, now: float) -> float:
        if not self._ttl_asked:
            await self._ask_for_ttl()
        names = {"#k": "key", "#e": "window_ends"}
        for _ in range(_ROUNDS):
            try:
                await self._call(
                    "update_item", TableName=self._t("LoginAttempts"), Key={"key": s(key)},
                    UpdateExpression="SET #c = #c + :one",
                    ConditionExpression="#e > :now AND #c < :limit",
                    ExpressionAttributeNames={"#c": "count", "#e": "window_ends"},
                    ExpressionAttributeValues={":one": {"N": "1"}, ":now": _f(now),
                                               ":limit": {"N": str(limit)}})
                return 0.0
            except ClientError:  # no running window, or its limit is reached
                pass
            try:
                await self._call(
                    "put_item", TableName=self._t("LoginAttempts"),
                    Item={"key": s(key), "count": {"N": "1"}, "window_ends": _f(now + window_s),
                          "expires_at": {"N": str(int(now + window_s) + 60)}},
                    ConditionExpression="attribute_not_exists(#k) OR #e <= :now",
                    ExpressionAttributeNames=names, ExpressionAttributeValues={":now": _f(now)})
                return 0.0
            except ClientError:  # a window runs (perhaps just started by another node)
                pass
            item = await self._get("LoginAttempts", {"key": s(key)})
            if item is not None:
                ends = float(item["window_ends"]["N"])
                if ends > now and int(item["count"]["N"]) >= limit:
                    return ends - now
        return 1.0

    async def give_back_attempt(self, key: str, now: float) -> None:
        try:
            await self._call(
                "update_item", TableName=self._t("LoginAttempts"), Key={"key": s(key)},
                UpdateExpression="SET #c = #c - :one",
                ConditionExpression="#e > :now AND #c > :zero",
                ExpressionAttributeNames={"#c": "count", "#e": "window_ends"},
                ExpressionAttributeValues={":one": {"N": "1"}, ":zero": {"N": "0"},
                                           ":now": _f(now)})
        except ClientError:  # the window ended meanwhile: nothing to give back
            pass

    async def _attempt_items(self, **kwargs: Any) -> list[Item]:
        items: list[Item] = []
        scan: dict[str, Any] = {"TableName": self._t("LoginAttempts"), "ConsistentRead": True,
                                **kwargs}
        while True:
            out = await self._call("scan", **scan)
            items += out.get("Items", [])
            if "LastEvaluatedKey" not in out:
                return items
            scan["ExclusiveStartKey"] = out["LastEvaluatedKey"]

    async def purge_attempts(self, now: float) -> int:
        ended = await self._attempt_items(
            FilterExpression="#e <= :now", ProjectionExpression="#k",
            ExpressionAttributeNames={"#e": "window_ends", "#k": "key"},
            ExpressionAttributeValues={":now": _f(now)})
        await self._batch_delete("LoginAttempts", [{"key": item["key"]} for item in ended])
        return len(ended)

    async def count_attempt_keys(self) -> int:
        return len(await self._attempt_items(ProjectionExpression="#k",
                                             ExpressionAttributeNames={"#k": "key"}))
