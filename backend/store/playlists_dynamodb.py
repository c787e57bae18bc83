"""Playlists in DynamoDB (table Playlists, PK username, SK id): one item per playlist, the
ordered track ids as a JSON string (MAX_PLAYLIST_TRACKS keeps it far below 400 KB). Saving
is a conditional write on the version, so two devices never overwrite each other silently.
The ids of the last edits applied (`edit_ids`, a JSON list) let a retried "add to playlist"
add nothing; every save updates the fields it changes and leaves them in place."""

from __future__ import annotations

import json

from botocore.exceptions import ClientError

from .areas import DynamoArea, Item, n, s
from .base import PLAYLIST_EDITS_KEPT, Playlist, PlaylistConflict, PlaylistEditApplied


def _item(user: str, p: Playlist) -> Item:
    item: Item = {"username": s(user), "id": s(p.id), "name": s(p.name),
                  "version": n(p.version), "track_ids": s(json.dumps(p.track_ids)),
                  "created_at": n(p.created_at), "updated_at": n(p.updated_at),
                  "source": s(p.source)}
    if p.source_id:
        item["source_id"] = s(p.source_id)
    return item


def _playlist(item: Item) -> Playlist:
    return Playlist(
        id=item["id"]["S"], name=item["name"]["S"], version=int(item["version"]["N"]),
        track_ids=json.loads(item["track_ids"]["S"]), created_at=int(item["created_at"]["N"]),
        updated_at=int(item["updated_at"]["N"]), source=item["source"]["S"],
        source_id=item["source_id"]["S"] if "source_id" in item else "")


class PlaylistsDynamo(DynamoArea):
    TABLES = {"Playlists": [("username", "HASH"), ("id", "RANGE")]}

    async def create_playlist(self, username: str, playlist: Playlist) -> None:
        await self._put_if_absent("Playlists", _item(username.lower(), playlist), "id")

    async def list_playlists(self, username: str) -> list[Playlist]:
        items = [_playlist(i) async for i in self._query(
            TableName=self._t("Playlists"), KeyConditionExpression="username = :u",
            ExpressionAttributeValues={":u": s(username.lower())})]
        return sorted(items, key=lambda p: (p.created_at, p.id))

    async def get_playlist(self, username: str, playlist_id: str) -> Playlist | None:
        item = await self._get("Playlists", {"username": s(username.lower()),
                                             "id": s(playlist_id)})
        return None if item is None else _playlist(item)

    async def save_playlist(self, username: str, playlist: Playlist, expected_version: int,
                            edit_id: str | None = None) -> None:
        p, key = playlist, {"username": s(username.lower()), "id": s(playlist.id)}
        values = {":name": s(p.name), ":version": n(p.version),
                  ":tracks": s(json.dumps(p.track_ids)), ":updated": n(p.updated_at),
                  ":expected": n(expected_version)}
        update = ("SET #name = :name, version = :version, track_ids = :tracks,"
                  " updated_at = :updated")
        if edit_id is not None:
            # The ids read here are the ones at `expected_version`: the condition below makes
            # sure nothing was saved in between.
            item = await self._get("Playlists", key, ProjectionExpression="edit_ids")
            applied = json.loads(item["edit_ids"]["S"]) if item and "edit_ids" in item else []
            if edit_id in applied:
                raise PlaylistEditApplied(f"edit {edit_id} of playlist {p.id} was applied")
            values[":edits"] = s(json.dumps([*applied, edit_id][-PLAYLIST_EDITS_KEPT:]))
            update += ", edit_ids = :edits"
        try:
            await self._call("update_item", TableName=self._t("Playlists"), Key=key,
                             UpdateExpression=update, ConditionExpression="version = :expected",
                             ExpressionAttributeNames={"#name": "name"},
                             ExpressionAttributeValues=values)
        except ClientError as e:  # only ConditionalCheckFailed gets through _call
            raise PlaylistConflict(f"playlist {p.id} is not at version {expected_version}") from e

    async def delete_playlist(self, username: str, playlist_id: str) -> bool:
        out = await self._call("delete_item", TableName=self._t("Playlists"),
                               Key={"username": s(username.lower()), "id": s(playlist_id)},
                               ReturnValues="ALL_OLD")
        return "Attributes" in out
