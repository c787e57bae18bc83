"""A user's account as a whole in DynamoDB: ending all their sessions (through the
UserSessions index the store keeps), erasing all their data.

Erasure is generic: every table whose partition key is `username` loses the user's items
(the Users item last, so an interrupted erasure can be retried with the password), and a table
another area adds later is covered without a change here.
"""

from __future__ import annotations

from typing import Any

from .areas import DynamoArea, Item, KeySchema, s


class AccountDynamo(DynamoArea):
    _keys: dict[str, KeySchema]  # every table of the store (DynamoDBStore.__init__)

    async def delete_user_sessions(self, username: str, keep: str | None = None) -> int:
        user = username.lower()
        ended = 0
        async for item in self._query(
                TableName=self._t("UserSessions"), KeyConditionExpression="username = :u",
                ExpressionAttributeValues={":u": s(user)}):
            sid_hash = item["sid_hash"]["S"]
            if sid_hash == keep:
                continue
            await self._call("delete_item", TableName=self._t("Sessions"),
                             Key={"sid_hash": s(sid_hash)})
            await self._call("delete_item", TableName=self._t("UserSessions"),
                             Key={"username": s(user), "sid_hash": s(sid_hash)})
            ended += 1
        return ended

    async def delete_user_data(self, username: str) -> None:
        user = username.lower()
        await self.delete_user_sessions(user)
        tables = [(name, keys) for name, keys in self._keys.items()
                  if keys[0] == ("username", "HASH")]
        tables.sort(key=lambda entry: entry[0] == "Users")  # the account itself goes last
        if "LoginAttempts" in self._keys:  # the account's sign-in counter (throttle.py's key)
            await self._call("delete_item", TableName=self._t("LoginAttempts"),
                             Key={"key": s(f"user:{user}")})
        for name, keys in tables:
            if len(keys) == 1:
                await self._call("delete_item", TableName=self._t(name), Key={"username": s(user)})
                continue
            range_key = keys[1][0]
            query: dict[str, Any] = {
                "TableName": self._t(name), "KeyConditionExpression": "username = :u",
                "ExpressionAttributeValues": {":u": s(user)},
                "ProjectionExpression": "#r", "ExpressionAttributeNames": {"#r": range_key}}
            found: list[Item] = [{"username": s(user), range_key: i[range_key]}
                                 async for i in self._query(**query)]
            await self._batch_delete(name, found)
        if "Models" in self._keys:
            # A training on another node may have saved a snapshot between the Models item's
            # deletion and the account's. It checks the account after saving and deletes its
            # own if gone, so deleting once more after the account leaves none either way.
            await self._call("delete_item", TableName=self._t("Models"), Key={"username": s(user)})
