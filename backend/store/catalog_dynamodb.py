"""The catalog and the library file index on DynamoDB (mixed into DynamoDBStore).

Tables (with the store's prefix, created with the others):
- `Catalog` (PK `source`, SK `id`): one item per track, about 1 KB (the tags as JSON, capped
  at MAX_DOC_BYTES; the features as JSON; cover art is never in an item, only its URL). A
  Query on one source pages through a whole library.
- `CatalogLinks` (PK `key`, SK `id`): empty items that find tracks by `artist#<id>`,
  `album#<id>`, `genre#<name>`, and `pending#<source>` (analysis not done yet: a sparse index
  the analyser reads without scanning the catalog).
- `LibraryFiles` (PK `root`, SK `path`): the scanner's index, one small item per file.
- `LibraryState` (PK `name`): small shared documents and leases (conditional writes).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from botocore.exceptions import ClientError

from .areas import DynamoArea, Item, KeySchema
from .catalog import CatalogTrack, LibraryFile, source_of

CATALOG_KEYS: dict[str, KeySchema] = {
    "Catalog": [("source", "HASH"), ("id", "RANGE")],
    "CatalogLinks": [("key", "HASH"), ("id", "RANGE")],
    "LibraryFiles": [("root", "HASH"), ("path", "RANGE")],
    "LibraryState": [("name", "HASH")],
}
_CONCURRENCY = 16


def _s(v: str) -> dict[str, str]:
    return {"S": v}


def _n(v: float) -> dict[str, str]:
    return {"N": str(v)}


def _track(item: Item) -> CatalogTrack:
    return CatalogTrack(
        id=item["id"]["S"], source=item["source"]["S"], doc=json.loads(item["doc"]["S"]),
        location=item.get("location", {}).get("S", ""),
        present=bool(item.get("present", {}).get("BOOL", True)),
        analysis=item.get("analysis", {}).get("S", "pending"),
        features=json.loads(item["features"]["S"]) if "features" in item else {},
        error=item.get("error", {}).get("S", ""),
        updated_at=int(item.get("updated_at", {}).get("N", "0")))


def _old_links(old: Item | None) -> set[str]:
    if not old or "doc" not in old:
        return set()
    return CatalogTrack(old["id"]["S"], old["source"]["S"], json.loads(old["doc"]["S"])).links()


class CatalogDynamo(DynamoArea):
    TABLES = CATALOG_KEYS

    async def _gather(self, jobs: list[Any]) -> list[Any]:
        limit = asyncio.Semaphore(_CONCURRENCY)

        async def one(job: Any) -> Any:
            async with limit:
                return await job

        return list(await asyncio.gather(*(one(j) for j in jobs)))

    async def _set_links(self, track_id: str, add: set[str], remove: set[str]) -> None:
        await self._batch_put("CatalogLinks", [{"key": _s(k), "id": _s(track_id)}
                                               for k in sorted(add)])
        await self._batch_delete("CatalogLinks", [{"key": _s(k), "id": _s(track_id)}
                                                  for k in sorted(remove - add)])

    async def _pending_link(self, item: Item) -> None:
        key = f"pending#{item['source']['S']}"
        waiting = (item.get("present", {}).get("BOOL", True)
                   and item.get("analysis", {}).get("S") == "pending")
        await self._set_links(item["id"]["S"], {key} if waiting else set(),
                              set() if waiting else {key})

    async def put_catalog_tracks(self, tracks: list[CatalogTrack]) -> None:
        docs = [t.doc_json() for t in tracks]  # ValueError before anything is written

        async def put(track: CatalogTrack, doc: str) -> None:
            values: Item = {":d": _s(doc), ":p": {"BOOL": track.present},
                            ":u": _n(track.updated_at), ":a": _s(track.analysis),
                            ":f": _s(json.dumps(track.features))}
            sets = ["doc = :d", "present = :p", "updated_at = :u",
                    "analysis = if_not_exists(analysis, :a)",
                    "features = if_not_exists(features, :f)"]
            remove = ""
            if track.location:
                values[":l"] = _s(track.location)
                sets.append("#l = :l")
            else:
                remove = " REMOVE #l"
            out = await self._call(
                "update_item", TableName=self._t("Catalog"),
                Key={"source": _s(track.source), "id": _s(track.id)},
                UpdateExpression="SET " + ", ".join(sets) + remove,
                ExpressionAttributeNames={"#l": "location"},
                ExpressionAttributeValues=values, ReturnValues="ALL_OLD")
            old = out.get("Attributes")
            await self._set_links(track.id, track.links(), _old_links(old))
            analysis = (old or {}).get("analysis", {}).get("S", track.analysis)
            await self._pending_link({"id": _s(track.id), "source": _s(track.source),
                                      "present": {"BOOL": track.present},
                                      "analysis": _s(analysis)})

        await self._gather([put(t, d) for t, d in zip(tracks, docs, strict=True)])

    async def get_catalog_tracks(self, ids: list[str]) -> dict[str, CatalogTrack]:
        wanted = list(dict.fromkeys(ids))
        found: dict[str, CatalogTrack] = {}
        for start in range(0, len(wanted), 100):
            keys: list[Item] = [{"source": _s(source_of(i)), "id": _s(i)}
                                for i in wanted[start:start + 100]]
            keys = [key for key in keys if self._findable("Catalog", key)]
            while keys:
                out = await self._call("batch_get_item", RequestItems={
                    self._t("Catalog"): {"Keys": keys, "ConsistentRead": True}})
                for item in out.get("Responses", {}).get(self._t("Catalog"), []):
                    found[item["id"]["S"]] = _track(item)
                keys = out.get("UnprocessedKeys", {}).get(self._t("Catalog"), {}).get("Keys", [])
                if keys:
                    await asyncio.sleep(0.05)
        return found

    async def catalog_tracks(
        self, source: str, after_id: str = "", limit: int = 1000
    ) -> list[CatalogTrack]:
        condition = "#s = :s AND #i > :a" if after_id else "#s = :s"
        values: Item = {":s": _s(source)}
        if after_id:
            values[":a"] = _s(after_id)
        return [_track(i) async for i in self._query(
            limit, TableName=self._t("Catalog"), KeyConditionExpression=condition,
            ExpressionAttributeNames={"#s": "source", **({"#i": "id"} if after_id else {})},
            ExpressionAttributeValues=values)]

    async def catalog_ids(self, link: str, limit: int = 1000) -> list[str]:
        return [i["id"]["S"] async for i in self._query(
            limit, TableName=self._t("CatalogLinks"), KeyConditionExpression="#k = :k",
            ExpressionAttributeNames={"#k": "key"}, ExpressionAttributeValues={":k": _s(link)})]

    async def set_catalog_present(self, ids: list[str], present: bool, at: int) -> None:
        async def one(track_id: str) -> None:
            try:
                out = await self._call(
                    "update_item", TableName=self._t("Catalog"),
                    Key={"source": _s(source_of(track_id)), "id": _s(track_id)},
                    UpdateExpression="SET present = :p, updated_at = :u",
                    ConditionExpression="attribute_exists(id)",
                    ExpressionAttributeValues={":p": {"BOOL": present}, ":u": _n(at)},
                    ReturnValues="ALL_NEW")
            except ClientError:  # no such track
                return
            await self._pending_link(out["Attributes"])

        await self._gather([one(i) for i in ids])

    async def set_catalog_analysis(
        self, track_id: str, analysis: str, features: dict[str, float], error: str = ""
    ) -> None:
        values: Item = {":a": _s(analysis), ":f": _s(json.dumps(features))}
        expression = "SET analysis = :a, features = :f"
        if error:
            values[":e"] = _s(error)
            expression += ", #e = :e"
        else:
            expression += " REMOVE #e"
        try:
            out = await self._call(
                "update_item", TableName=self._t("Catalog"),
                Key={"source": _s(source_of(track_id)), "id": _s(track_id)},
                UpdateExpression=expression, ConditionExpression="attribute_exists(id)",
                ExpressionAttributeNames={"#e": "error"}, ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW")
        except ClientError:
            return
        await self._pending_link(out["Attributes"])

    async def catalog_counts(self, source: str) -> dict[str, int]:
        counts = {"tracks": 0, "analysed": 0, "pending": 0, "failed": 0}
        names = {"done": "analysed", "pending": "pending", "failed": "failed"}
        async for item in self._query(
                TableName=self._t("Catalog"), KeyConditionExpression="#s = :s",
                ProjectionExpression="analysis, present",
                ExpressionAttributeNames={"#s": "source"},
                ExpressionAttributeValues={":s": _s(source)}):
            if item.get("present", {}).get("BOOL", True):
                counts["tracks"] += 1
                name = names.get(item.get("analysis", {}).get("S", ""))
                if name:
                    counts[name] += 1
        return counts

    # the file index

    async def put_library_files(self, files: list[LibraryFile]) -> None:
        def item(f: LibraryFile) -> Item:
            out: Item = {"root": _s(f.root), "path": _s(f.path), "size": _n(f.size),
                         "mtime_ns": _n(f.mtime_ns)}
            if f.track_id:
                out["track_id"] = _s(f.track_id)
            if f.error:
                out["error"] = _s(f.error)
            return out

        await self._batch_put("LibraryFiles", [item(f) for f in files])

    async def library_files(self, root: str) -> list[LibraryFile]:
        return [LibraryFile(root=i["root"]["S"], path=i["path"]["S"], size=int(i["size"]["N"]),
                            mtime_ns=int(i["mtime_ns"]["N"]),
                            track_id=i.get("track_id", {}).get("S", ""),
                            error=i.get("error", {}).get("S", ""))
                async for i in self._query(
                    TableName=self._t("LibraryFiles"), KeyConditionExpression="#r = :r",
                    ExpressionAttributeNames={"#r": "root"},
                    ExpressionAttributeValues={":r": _s(root)})]

    async def delete_library_files(self, root: str, paths: list[str]) -> None:
        await self._batch_delete("LibraryFiles", [{"root": _s(root), "path": _s(p)}
                                                  for p in paths])

    # shared state and leases

    async def put_library_state(self, name: str, state: dict[str, Any]) -> None:
        await self._call("update_item", TableName=self._t("LibraryState"),
                         Key={"name": _s(name)}, UpdateExpression="SET doc = :d",
                         ExpressionAttributeValues={":d": _s(json.dumps(state))})

    async def get_library_state(self, name: str) -> dict[str, Any] | None:
        item = await self._get("LibraryState", {"name": _s(name)})
        return None if item is None or "doc" not in item else dict(json.loads(item["doc"]["S"]))

    async def claim_lease(self, name: str, owner: str, ttl_s: float) -> bool:
        now = time.time()
        try:
            await self._call(
                "update_item", TableName=self._t("LibraryState"),
                Key={"name": _s(f"lease#{name}")},
                UpdateExpression="SET #o = :o, expires = :e",
                ConditionExpression="attribute_not_exists(#o) OR #o = :o OR expires < :now",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":o": _s(owner), ":e": _n(now + ttl_s),
                                           ":now": _n(now)})
            return True
        except ClientError:
            return False

    async def release_lease(self, name: str, owner: str) -> None:
        try:
            await self._call(
                "update_item", TableName=self._t("LibraryState"),
                Key={"name": _s(f"lease#{name}")}, UpdateExpression="REMOVE #o, expires",
                ConditionExpression="#o = :o", ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":o": _s(owner)})
        except ClientError:
            pass
