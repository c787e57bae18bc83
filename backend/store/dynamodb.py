"""The scale-out store: Amazon DynamoDB through aiobotocore (dynalite in tests).

Tables (each named table_prefix + name, PAY_PER_REQUEST): Users (PK username), Interactions
(PK username, SK sk), Models (PK username), Sessions (PK sid_hash; expiry checked on read),
UserSessions (PK username, SK sid_hash: which sessions a user has, so a password change or an
account deletion can end them all), SpotifyLinks (PK username), and the tables of the areas
mixed in (likes_, playlists_, taste_, account_, catalog_dynamodb.py). Every read is strongly
consistent, so a write is visible to the next request on any node.

Idempotent interactions without transactions. An interaction's identity is its `id`, but
its data item's sort key is `"<at, 13 digits>#<id>"`, so `attribute_not_exists(sk)` alone
would let a replay with a different `at` slip in as a second item. dynalite does not
implement TransactWriteItems, so each interaction is written in two steps, claim first:

1. the *marker* `(username, "ID#<id>")`, holding the whole interaction, is put with
   `attribute_not_exists(sk)`. Success means this request owns the id: accepted.
   Failure means the id was seen before: a duplicate, whatever its `at` or content.
2. the data item `(username, "<at>#<id>")` is written (BatchWriteItem, 25 at a time), and only
   then is the request answered.

A crash between 1 and 2 leaves a marker without its data item, and the client, never having
been answered, replays the id. So every duplicate also re-puts the data item built from the
*marker's* copy (the first version wins) with `attribute_not_exists(sk)`: a no-op normally,
the completion of the lost write after a crash. Data sort keys start with a digit and markers
with "I", so every read of interactions asks for `sk < ":"` and never sees a marker.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import aiohttp
from aiobotocore.session import get_session
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from .account_dynamodb import AccountDynamo
from .areas import DynamoArea, Item, KeySchema, own_values
from .areas import n as _n
from .areas import s as _s
from .attempts_dynamodb import AttemptsDynamo
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
from .catalog_dynamodb import CatalogDynamo
from .likes_dynamodb import LikesDynamo
from .playlists_dynamodb import PlaylistsDynamo
from .subsonic_dynamodb import SubsonicDynamo
from .taste_dynamodb import TasteDynamo

_MAX_HASH_KEY_BYTES = 2048  # DynamoDB's limits on a string key attribute's UTF-8 length
_MAX_RANGE_KEY_BYTES = 1024
_KEYS: dict[str, KeySchema] = {  # table -> [(attribute, HASH|RANGE)]
    "Users": [("username", "HASH")],
    "Interactions": [("username", "HASH"), ("sk", "RANGE")],
    "Models": [("username", "HASH")],
    "Sessions": [("sid_hash", "HASH")],
    "UserSessions": [("username", "HASH"), ("sid_hash", "RANGE")],
    "SpotifyLinks": [("username", "HASH")],
}
_MARKER = "ID#"
_DATA_END = ":"  # the character after "9": every data sort key is below it, every marker above
_CONCURRENCY = 16  # conditional puts in flight per put_interactions call
_TABLE_ACTIVE_TIMEOUT = 60.0  # seconds open() waits for new tables
_THROTTLE_GIVE_UP = 30.0  # seconds of unprocessed batch items before answering 503
# /healthz must answer before a load balancer's check times out, even when the endpoint hangs
# (retries of a hung endpoint would take read_timeout x attempts, about 10 s).
_PING_TIMEOUT_S = 2.0
_UNAVAILABLE_CODES = {
    "ServiceUnavailable", "InternalServerError", "InternalFailure", "ThrottlingException",
    "ProvisionedThroughputExceededException", "RequestLimitExceeded", "ResourceNotFoundException",
}


def _interaction_item(username: str, sk: str, it: Interaction) -> Item:
    return {"username": _s(username), "sk": _s(sk), "id": _s(it.id),
            "track_id": _s(it.track_id), "type": _s(it.type),
            "position_ms": _n(it.position_ms), "duration_ms": _n(it.duration_ms),
            "at": _n(it.at)}


def _interaction(item: Item) -> Interaction:
    return Interaction(id=item["id"]["S"], track_id=item["track_id"]["S"],
                       type=item["type"]["S"], position_ms=int(item["position_ms"]["N"]),
                       duration_ms=int(item["duration_ms"]["N"]), at=int(item["at"]["N"]))


def _opt_s(item: Item, name: str) -> str:
    # empty strings are left out when writing: older DynamoDB emulators reject them
    return str(item[name]["S"]) if name in item else ""


def _user(item: Item | None) -> User | None:
    if item is None:
        return None
    return User(username=item["username"]["S"], password_hash=item["password_hash"]["S"],
                display_name=_opt_s(item, "display_name"),
                settings=json.loads(item["settings"]["S"]),
                created_at=int(item["created_at"]["N"]))


def _live_session(sid_hash: str, item: Item | None) -> Session | None:
    """The session an item holds; None when there is none or it has expired."""
    if item is None or int(item["expires_at"]["N"]) <= time.time():
        return None
    return Session(sid_hash=sid_hash, username=item["username"]["S"],
                   expires_at=int(item["expires_at"]["N"]), data=json.loads(item["data"]["S"]))


class DynamoDBStore(  # the areas mixed in, one per line (see areas.py)
    AttemptsDynamo,
    LikesDynamo,
    SubsonicDynamo,
    CatalogDynamo,
    PlaylistsDynamo,
    TasteDynamo,
    AccountDynamo,
    DynamoArea,
):
    def __init__(self, endpoint_url: str | None, region: str, table_prefix: str) -> None:
        self.endpoint_url = endpoint_url
        self.region = region
        self.table_prefix = table_prefix
        self._stack: AsyncExitStack | None = None
        self._client: Any = None
        # this store's tables and those of the areas mixed in (see areas.py)
        self._keys: dict[str, KeySchema] = dict(_KEYS)
        for tables in own_values(type(self), "TABLES"):
            self._keys.update(tables)

    def _t(self, name: str) -> str:
        return self.table_prefix + name

    # plumbing

    async def _call(self, op: str, **kwargs: Any) -> dict[str, Any]:
        """One DynamoDB call; ConditionalCheckFailed is left to the caller (as ClientError)."""
        if self._client is None:
            raise StoreUnavailable("the DynamoDB store is not open")
        try:
            result: dict[str, Any] = await getattr(self._client, op)(**kwargs)
            return result
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code", "")
            if code == "ConditionalCheckFailedException":
                raise
            if code in _UNAVAILABLE_CODES:
                raise StoreUnavailable(f"DynamoDB {op}: {code}") from e
            raise StoreError(f"DynamoDB {op}: {e}") from e
        except (BotoConnectionError, HTTPClientError, aiohttp.ClientError, TimeoutError,
                OSError) as e:
            raise StoreUnavailable(f"DynamoDB at {self.endpoint_url or self.region} is "
                                   f"unreachable: {e}") from e

    async def _put_if_absent(self, table: str, item: Item, key: str) -> bool:
        """Put `item` unless an item with its key exists; True when written."""
        try:
            await self._call("put_item", TableName=self._t(table), Item=item,
                             ConditionExpression="attribute_not_exists(#k)",
                             ExpressionAttributeNames={"#k": key})
            return True
        except ClientError:  # only ConditionalCheckFailed gets through _call
            return False

    def _findable(self, table: str, key: Item) -> bool:
        """Whether `key` could be an item's key: DynamoDB refuses a lookup by an empty string
        or by one over its key size limits (a ValidationException, so a 500) where SQLite
        finds nothing. Keys come from what clients send (a username, a track id in a URL)."""
        for attribute, kind in self._keys[table]:
            value = key.get(attribute, {}).get("S")
            limit = _MAX_HASH_KEY_BYTES if kind == "HASH" else _MAX_RANGE_KEY_BYTES
            if value is not None and not 0 < len(value.encode("utf-8", "surrogatepass")) <= limit:
                return False
        return True

    async def _get(self, table: str, key: Item, **kwargs: Any) -> Item | None:
        if not self._findable(table, key):
            return None  # no item can have that key
        out = await self._call("get_item", TableName=self._t(table), Key=key,
                               ConsistentRead=True, **kwargs)
        item: Item | None = out.get("Item")
        return item

    async def _query(self, limit: int | None = None, **kwargs: Any) -> AsyncIterator[Item]:
        """Items of one Query, across DynamoDB's 1 MB pages, up to `limit`."""
        kwargs = {"ConsistentRead": True, **kwargs}
        seen = 0
        while True:
            if limit is not None:
                kwargs["Limit"] = limit - seen
            out = await self._call("query", **kwargs)
            for item in out.get("Items", []):
                seen += 1
                yield item
            if "LastEvaluatedKey" not in out or (limit is not None and seen >= limit):
                return
            kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]

    # lifecycle

    async def open(self) -> None:
        config = Config(retries={"mode": "standard", "total_max_attempts": 3},
                        parameter_validation=False,  # our own calls; DynamoDB checks anyway
                        connect_timeout=2, read_timeout=3, max_pool_connections=_CONCURRENCY)
        creds: dict[str, str] = {}
        if self.endpoint_url and not os.environ.get("AWS_ACCESS_KEY_ID"):
            # a local endpoint (dynalite) accepts any key; AWS proper uses the default chain
            creds = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}
        stack = AsyncExitStack()
        try:
            self._client = await stack.enter_async_context(get_session().create_client(
                "dynamodb", region_name=self.region, endpoint_url=self.endpoint_url,
                config=config, **creds))
            self._stack = stack
            await self.init_tables()
        except BaseException:
            self._client, self._stack = None, None
            await stack.aclose()
            raise

    async def close(self) -> None:
        stack, self._stack, self._client = self._stack, None, None
        if stack is not None:
            await stack.aclose()

    async def init_tables(self) -> list[str]:
        """Create the missing tables and wait until all are ACTIVE; the names it created."""
        existing: set[str] = set()
        kwargs: dict[str, Any] = {}
        while True:
            out = await self._call("list_tables", **kwargs)
            existing.update(out.get("TableNames", []))
            if "LastEvaluatedTableName" not in out:
                break
            kwargs["ExclusiveStartTableName"] = out["LastEvaluatedTableName"]
        missing = [self._t(n) for n in self._keys if self._t(n) not in existing]
        created = [n for n, ok in zip(missing, await asyncio.gather(
            *(self._create_table(n) for n in missing)), strict=True) if ok]
        await asyncio.gather(*(self._wait_active(self._t(n)) for n in self._keys))
        return created

    async def _create_table(self, name: str) -> bool:
        keys = self._keys[name.removeprefix(self.table_prefix)]
        try:
            await self._call(
                "create_table", TableName=name, BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": a, "KeyType": t} for a, t in keys],
                AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a, _ in keys])
            return True
        except StoreError as e:  # another node created it first
            if "ResourceInUseException" in str(e):
                return False
            raise

    async def _wait_active(self, name: str) -> None:
        timeout = _TABLE_ACTIVE_TIMEOUT
        deadline, delay = time.monotonic() + timeout, 0.02
        while True:
            out = await self._call("describe_table", TableName=name)
            if out["Table"]["TableStatus"] == "ACTIVE":
                return
            if time.monotonic() > deadline:
                raise StoreUnavailable(f"DynamoDB table {name} is not ACTIVE after {timeout} s")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)

    async def ping(self) -> None:
        try:
            async with asyncio.timeout(_PING_TIMEOUT_S):
                await self._call("describe_table", TableName=self._t("Users"))
        except TimeoutError as e:
            raise StoreUnavailable(f"DynamoDB did not answer within {_PING_TIMEOUT_S} s") from e

    # users

    async def create_user(self, user: User) -> None:
        item = {"username": _s(user.username.lower()), "password_hash": _s(user.password_hash),
                "display_name": _s(user.display_name), "settings": _s(json.dumps(user.settings)),
                "created_at": _n(user.created_at)}
        if not await self._put_if_absent("Users", item, "username"):
            raise UsernameTaken(user.username)

    async def get_user(self, username: str) -> User | None:
        return _user(await self._get("Users", {"username": _s(username.lower())}))

    async def update_user(self, user: User) -> None:
        try:
            await self._call(
                "update_item", TableName=self._t("Users"),
                Key={"username": _s(user.username.lower())},
                UpdateExpression="SET password_hash = :p, display_name = :d, settings = :s",
                ConditionExpression="attribute_exists(username)",
                ExpressionAttributeValues={":p": _s(user.password_hash),
                                           ":d": _s(user.display_name),
                                           ":s": _s(json.dumps(user.settings))})
        except ClientError as e:
            raise StoreError(f"no user {user.username!r}") from e

    # sessions

    async def put_session(self, session: Session) -> None:
        await asyncio.gather(
            self._call("put_item", TableName=self._t("Sessions"), Item={
                "sid_hash": _s(session.sid_hash), "username": _s(session.username),
                "expires_at": _n(session.expires_at), "data": _s(json.dumps(session.data))}),
            self._call("put_item", TableName=self._t("UserSessions"), Item={
                "username": _s(session.username.lower()), "sid_hash": _s(session.sid_hash),
                "expires_at": _n(session.expires_at)}))

    async def get_session(self, sid_hash: str) -> Session | None:
        return _live_session(sid_hash, await self._get("Sessions", {"sid_hash": _s(sid_hash)}))

    async def get_signed_in(
        self, sid_hash: str, username_hint: str | None = None
    ) -> tuple[Session, User] | None:
        session, user = await self._session_and_named_user(sid_hash, username_hint)
        if session is not None and (user is None
                                    or user.username.lower() != session.username.lower()):
            user = await self.get_user(session.username)  # no hint, or not the session's user
        return None if session is None or user is None else (session, user)

    async def _session_and_named_user(
        self, sid_hash: str, username: str | None
    ) -> tuple[Session | None, User | None]:
        """The session and the user `username` names, in one BatchGetItem where it can (else
        the session alone). The name only chooses what is read along: the caller keeps the
        session's own user."""
        user_key = {"username": _s((username or "").lower())}
        if not username or not self._findable("Users", user_key):
            return await self.get_session(sid_hash), None
        out = await self._call("batch_get_item", RequestItems={
            self._t("Sessions"): {"Keys": [{"sid_hash": _s(sid_hash)}], "ConsistentRead": True},
            self._t("Users"): {"Keys": [user_key], "ConsistentRead": True}})
        if out.get("UnprocessedKeys"):  # throttled: read them one by one
            return await self.get_session(sid_hash), None
        found = out.get("Responses", {})

        def only(table: str) -> Item | None:
            return next(iter(found.get(self._t(table), [])), None)

        return _live_session(sid_hash, only("Sessions")), _user(only("Users"))

    async def delete_session(self, sid_hash: str) -> None:
        out = await self._call("delete_item", TableName=self._t("Sessions"),
                               Key={"sid_hash": _s(sid_hash)}, ReturnValues="ALL_OLD")
        if "Attributes" in out:
            await self._call("delete_item", TableName=self._t("UserSessions"), Key={
                "username": _s(out["Attributes"]["username"]["S"].lower()),
                "sid_hash": _s(sid_hash)})

    # interactions

    async def put_interactions(self, username: str, items: list[Interaction]) -> PutResult:
        user = username.lower()
        first: dict[str, Interaction] = {}
        for it in items:  # within one batch the first occurrence of an id wins
            first.setdefault(it.id, it)
        unique = list(first.values())
        limit = asyncio.Semaphore(_CONCURRENCY)

        async def claim(it: Interaction) -> bool:
            async with limit:
                marker = _interaction_item(user, _MARKER + it.id, it)
                if await self._put_if_absent("Interactions", marker, "sk"):
                    return True
                await self._repair(user, it.id)
                return False

        try:
            async with asyncio.TaskGroup() as tg:
                claims = [tg.create_task(claim(it)) for it in unique]
        except ExceptionGroup as group:  # callers expect a plain StoreError
            raise group.exceptions[0] from None
        won = {it.id for it, c in zip(unique, claims, strict=True) if c.result()}
        await self._batch_put("Interactions", [
            _interaction_item(user, it.sort_key(), it) for it in unique if it.id in won])
        # report in request order; a repeated id is a duplicate after its first occurrence
        result, reported = PutResult(accepted=[], duplicates=[]), set()
        for it in items:
            fresh = it.id in won and it.id not in reported
            (result.accepted if fresh else result.duplicates).append(it.id)
            reported.add(it.id)
        return result

    async def _repair(self, user: str, id_: str) -> None:
        """Make sure the data item of an already-claimed id exists (see the module doc)."""
        marker = await self._get("Interactions", {"username": _s(user), "sk": _s(_MARKER + id_)})
        if marker is not None:
            it = _interaction(marker)
            await self._put_if_absent("Interactions", _interaction_item(user, it.sort_key(), it),
                                      "sk")

    async def _batch_put(self, table: str, items: list[Item]) -> None:
        await self._batch_write(table, [{"PutRequest": {"Item": i}} for i in items])

    async def _batch_delete(self, table: str, keys: list[Item]) -> None:
        await self._batch_write(table, [{"DeleteRequest": {"Key": k}} for k in keys])

    async def _batch_write(self, table: str, requests: list[dict[str, Any]]) -> None:
        deadline = time.monotonic() + _THROTTLE_GIVE_UP
        for start in range(0, len(requests), 25):
            pending = requests[start:start + 25]
            delay = 0.05
            while pending:
                out = await self._call("batch_write_item", RequestItems={self._t(table): pending})
                pending = out.get("UnprocessedItems", {}).get(self._t(table), [])
                if pending:  # throttled: back off, within the deadline
                    if time.monotonic() > deadline:
                        raise StoreUnavailable(f"DynamoDB kept throttling the writes to {table}")
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 1.0)

    def _data_range(self, user: str, lo: str | None = None, below: str = _DATA_END) -> Any:
        if lo is None:
            return {"KeyConditionExpression": "username = :u AND sk < :hi",
                    "ExpressionAttributeValues": {":u": _s(user), ":hi": _s(below)}}
        return {"KeyConditionExpression": "username = :u AND sk BETWEEN :lo AND :hi",
                "ExpressionAttributeValues": {":u": _s(user), ":lo": _s(lo), ":hi": _s(below)}}

    async def list_interactions(
        self, username: str, limit: int, cursor: str | None = None
    ) -> InteractionPage:
        before = decode_cursor(cursor) if cursor else _DATA_END
        rows = [_interaction(i) async for i in self._query(
            limit + 1, TableName=self._t("Interactions"), ScanIndexForward=False,
            **self._data_range(username.lower(), below=before))]
        page = rows[:limit]
        more = len(rows) > limit and bool(page)
        return InteractionPage(page, encode_cursor(page[-1].sort_key()) if more else None)

    async def interactions_after(
        self, username: str, after_sort_key: str | None = None
    ) -> list[Interaction]:
        rows = [_interaction(i) async for i in self._query(
            TableName=self._t("Interactions"),
            **self._data_range(username.lower(), lo=after_sort_key or None))]
        # BETWEEN includes its lower bound; "after" does not
        return [r for r in rows if r.sort_key() != after_sort_key]

    async def count_interactions(self, username: str) -> int:
        total = 0
        kwargs: dict[str, Any] = {"TableName": self._t("Interactions"), "Select": "COUNT",
                                  "ConsistentRead": True, **self._data_range(username.lower())}
        while True:
            out = await self._call("query", **kwargs)
            total += int(out["Count"])
            if "LastEvaluatedKey" not in out:
                return total
            kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]

    # model snapshots

    async def put_model(self, snapshot: ModelSnapshot, expected_version: int) -> None:
        if len(snapshot.blob) > MAX_MODEL_BLOB_BYTES:
            raise StoreError(f"model snapshot of {len(snapshot.blob)} bytes exceeds the "
                             f"{MAX_MODEL_BLOB_BYTES}-byte limit (DynamoDB items are ≤ 400 KB)")
        if expected_version == 0:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(username)"}
        else:
            condition = {"ConditionExpression": "version = :expected",
                         "ExpressionAttributeValues": {":expected": _n(expected_version)}}
        item: Item = {"username": _s(snapshot.username.lower()), "version": _n(snapshot.version),
                      "blob": {"B": snapshot.blob}, "updated_at": _n(snapshot.updated_at)}
        if snapshot.owner_created_at is not None:
            item["owner_created_at"] = _n(snapshot.owner_created_at)
        try:
            await self._call("put_item", TableName=self._t("Models"), Item=item, **condition)
        except ClientError:  # only ConditionalCheckFailed gets through _call
            raise ModelConflict(f"{snapshot.username.lower()}'s model is no longer version "
                                f"{expected_version}") from None

    async def get_model(self, username: str) -> ModelSnapshot | None:
        item = await self._get("Models", {"username": _s(username.lower())})
        if item is None:
            return None
        owner = item.get("owner_created_at")
        return ModelSnapshot(username=item["username"]["S"], version=int(item["version"]["N"]),
                             blob=bytes(item["blob"]["B"]),
                             updated_at=int(item["updated_at"]["N"]),
                             owner_created_at=int(owner["N"]) if owner else None)

    async def delete_model(self, username: str, version: int) -> bool:
        try:
            await self._call("delete_item", TableName=self._t("Models"),
                             Key={"username": _s(username.lower())},
                             ConditionExpression="version = :v",
                             ExpressionAttributeValues={":v": _n(version)})
        except ClientError:  # only ConditionalCheckFailed gets through _call
            return False
        return True

    async def get_model_version(self, username: str) -> int | None:
        item = await self._get("Models", {"username": _s(username.lower())},
                               ProjectionExpression="#v",
                               ExpressionAttributeNames={"#v": "version"})
        return None if item is None else int(item["version"]["N"])

    # spotify

    async def put_spotify_link(self, link: SpotifyLink) -> None:
        item: Item = {"username": _s(link.username.lower()),
                      "access_token_enc": {"B": link.access_token_enc},
                      "refresh_token_enc": {"B": link.refresh_token_enc},
                      "expires_at": _n(link.expires_at), "authorized_at": _n(link.authorized_at),
                      "unavailable": _s(json.dumps(link.unavailable))}
        for name in ("scope", "spotify_id", "display_name", "product"):
            if value := getattr(link, name):
                item[name] = _s(value)
        await self._call("put_item", TableName=self._t("SpotifyLinks"), Item=item)

    async def get_spotify_link(self, username: str) -> SpotifyLink | None:
        item = await self._get("SpotifyLinks", {"username": _s(username.lower())})
        if item is None:
            return None
        return SpotifyLink(
            username=item["username"]["S"], access_token_enc=bytes(item["access_token_enc"]["B"]),
            refresh_token_enc=bytes(item["refresh_token_enc"]["B"]),
            expires_at=int(item["expires_at"]["N"]), scope=_opt_s(item, "scope"),
            spotify_id=_opt_s(item, "spotify_id"), display_name=_opt_s(item, "display_name"),
            product=_opt_s(item, "product"), authorized_at=int(item["authorized_at"]["N"]),
            unavailable=json.loads(item["unavailable"]["S"]))

    async def delete_spotify_link(self, username: str) -> None:
        await self._call("delete_item", TableName=self._t("SpotifyLinks"),
                         Key={"username": _s(username.lower())})

