"""The listener's taste corrections in DynamoDB (table Corrections, PK username, SK id),
written with `attribute_not_exists` so a replayed correction changes nothing. A user makes
few, so listing reads them all and sorts."""

from __future__ import annotations

from .areas import DynamoArea, n, s
from .base import Correction


class TasteDynamo(DynamoArea):
    TABLES = {"Corrections": [("username", "HASH"), ("id", "RANGE")]}

    async def put_correction(self, username: str, correction: Correction) -> bool:
        c = correction
        item = {"username": s(username.lower()), "id": s(c.id), "kind": s(c.kind),
                "at": n(c.at)}
        if c.target:  # older DynamoDB emulators reject empty strings
            item["target"] = s(c.target)
        return await self._put_if_absent("Corrections", item, "id")

    async def list_corrections(self, username: str) -> list[Correction]:
        rows = [Correction(i["id"]["S"], i["kind"]["S"], i["target"]["S"] if "target" in i
                           else "", int(i["at"]["N"]))
                async for i in self._query(
                    TableName=self._t("Corrections"), KeyConditionExpression="username = :u",
                    ExpressionAttributeValues={":u": s(username.lower())})]
        return sorted(rows, key=lambda c: (c.at, c.id))
