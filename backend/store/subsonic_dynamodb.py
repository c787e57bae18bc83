"""Subsonic links in DynamoDB (table SubsonicLinks, PK username)."""

from __future__ import annotations

import json

from .areas import DynamoArea, Item, n, s
from .subsonic import SubsonicLink


class SubsonicDynamo(DynamoArea):
    TABLES = {"SubsonicLinks": [("username", "HASH")]}

    async def put_subsonic_link(self, link: SubsonicLink) -> None:
        item: Item = {"username": s(link.username.lower()), "url": s(link.url),
                      "secret_enc": {"B": link.secret_enc}, "server": s(json.dumps(link.server)),
                      "connected_at": n(link.connected_at), "checked_at": n(link.checked_at)}
        if link.server_user:  # empty strings are left out: older emulators reject them
            item["server_user"] = s(link.server_user)
        await self._call("put_item", TableName=self._t("SubsonicLinks"), Item=item)

    async def get_subsonic_link(self, username: str) -> SubsonicLink | None:
        item = await self._get("SubsonicLinks", {"username": s(username.lower())})
        if item is None:
            return None
        return SubsonicLink(
            username=item["username"]["S"], url=item["url"]["S"],
            server_user=item["server_user"]["S"] if "server_user" in item else "",
            secret_enc=bytes(item["secret_enc"]["B"]), server=json.loads(item["server"]["S"]),
            connected_at=int(item["connected_at"]["N"]), checked_at=int(item["checked_at"]["N"]))

    async def delete_subsonic_link(self, username: str) -> bool:
        answer = await self._call("delete_item", TableName=self._t("SubsonicLinks"),
                                  Key={"username": s(username.lower())}, ReturnValues="ALL_OLD")
        return bool(answer.get("Attributes"))
