"""The model service: the seed's subscribe / receive-info / suggest over a per-user cache.

Runs in every web node (in-process) and, behind `blueprints/model_api.py`, in model nodes.
Nothing here is authoritative: a user's model is rebuilt from the store (snapshot + newer
interactions) on a cache miss, and a cached model catches up with the store before it
answers, so any node can serve any user and two nodes never disagree for long.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import shared_model
from shared_model import UserModel

from . import training
from .accounts import settings_of
from .sources import MusicSources
from .store import ModelSnapshot, Store

log = logging.getLogger("encore.model")

CATCH_UP_EVERY_S = 1.0  # how often a cached model re-checks the store before answering


@dataclass
class CachedModel:
    model: UserModel
    store_version: int  # the snapshot version it was built on (0 = none)
    size: int  # approximate bytes held
    checked_at: float = 0.0
    since_training: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def version(self) -> str:
        """Changes with every applied interaction and every new snapshot."""
        mark = zlib.crc32(self.model.applied_through.encode()) & 0xFFFFFFFF
        return f"{self.store_version}.{self.model.interactions}.{mark:08x}"


def _approx_size(model: UserModel) -> int:
    # Python objects take a few times their JSON size; this is a bound, not a measurement.
    return 4 * len(json.dumps(model.to_dict(), separators=(",", ":")))


class ModelService:
    def __init__(
        self, store: Store, sources: MusicSources, *, cache_bytes: int, train_every: int,
        spawn: Any,
    ) -> None:
        self.store = store
        self.sources = sources
        self.cache_bytes = cache_bytes
        self.train_every = train_every
        self._spawn = spawn  # schedules background work (app.add_background_task)
        self._cache: OrderedDict[str, CachedModel] = OrderedDict()
        self._loading: dict[str, asyncio.Lock] = {}
        self._training: set[str] = set()

    # --- cache -------------------------------------------------------------------------
    def cached_users(self) -> int:
        return len(self._cache)

    def cached_bytes(self) -> int:
        return sum(entry.size for entry in self._cache.values())

    def _remember(self, username: str, entry: CachedModel) -> None:
        self._cache[username] = entry
        self._cache.move_to_end(username)
        while len(self._cache) > 1 and self.cached_bytes() > self.cache_bytes:
            self._cache.popitem(last=False)

    def stale(self, username: str) -> None:
        """New interactions were stored: the next answer must catch up with the store first."""
        entry = self._cache.get(username)
        if entry is not None:
            entry.checked_at = 0.0

    # --- the three operations ----------------------------------------------------------
    async def subscribe(self, username: str) -> CachedModel:
        """The user's model, loaded (or rebuilt) and caught up with the store."""
        entry = self._cache.get(username)
        if entry is None:
            lock = self._loading.setdefault(username, asyncio.Lock())
            async with lock:
                entry = self._cache.get(username) or await self._load(username)
                self._remember(username, entry)
            self._loading.pop(username, None)
        else:
            self._cache.move_to_end(username)
        await self._catch_up(username, entry)
        return entry

    async def receive_info(self, username: str, interactions: list[dict[str, Any]]) -> CachedModel:
        """Learn from newly stored interactions (in order); retrain every `train_every`."""
        entry = await self.subscribe(username)  # catching up applies them already
        if any(shared_model.sort_key(i) > entry.model.applied_through for i in interactions):
            await self._apply(username, entry, interactions)
        if any(shared_model.sort_key(i) < entry.model.applied_through for i in interactions):
            # Arrived late (an offline device): replay the history in order, as the browser does.
            await self._replay(username, entry)
        return entry

    async def suggest(
        self, username: str, candidates: list[dict[str, Any]], limit: int, now_ms: int | None = None
    ) -> dict[str, Any]:
        entry = await self.subscribe(username)
        settings = await self._settings(username)
        ranked = shared_model.rank(
            entry.model, candidates, settings, limit, now_ms or int(time.time() * 1000)
        )
        return {
            "track_ids": [t["id"] for t in ranked],
            "scores": [t["score"] for t in ranked],
            "reasons": [t["reason"] for t in ranked],  # beyond the seed's API: the feed shows them
            "model_version": entry.version,
        }

    async def snapshot(self, username: str) -> tuple[str, dict[str, Any]]:
        entry = await self.subscribe(username)
        return entry.version, entry.model.to_dict()

    # --- internals ---------------------------------------------------------------------
    async def _settings(self, username: str) -> dict[str, Any]:
        user = await self.store.get_user(username)
        return settings_of(user) if user else dict(shared_model.DEFAULT_SETTINGS)

    async def _load(self, username: str) -> CachedModel:
        snapshot = await self.store.get_model(username)
        model: UserModel | None = None
        if snapshot is not None:
            try:
                model = shared_model.decode(snapshot.blob)
            except ValueError as error:  # an old schema: rebuild from the interactions
                log.info("rebuilding %s's model: %s", username, error)
        if model is None:
            model = UserModel.new(await self._settings(username))
        entry = CachedModel(model, snapshot.version if snapshot else 0, _approx_size(model))
        count = await self.store.count_interactions(username)
        if model.ensemble is None and count >= training.MIN_EXAMPLES:
            self._schedule_training(username)
        return entry

    async def _catch_up(self, username: str, entry: CachedModel) -> None:
        if time.monotonic() - entry.checked_at < CATCH_UP_EVERY_S:
            return
        async with entry.lock:
            stored = await self.store.get_model_version(username)
            if stored is not None and stored > entry.store_version:
                fresh = await self._load(username)  # another node trained: take its snapshot
                entry.model, entry.store_version, entry.size = fresh.model, fresh.store_version, fresh.size
            newer = await self.store.interactions_after(username, entry.model.applied_through or None)
            entry.checked_at = time.monotonic()
        if newer:
            await self._apply(username, entry, [i.to_dict() for i in newer])

    async def _apply(self, username: str, entry: CachedModel, interactions: list[dict[str, Any]]) -> None:
        async with entry.lock:
            settings = await self._settings(username)
            fresh = sorted(
                (i for i in interactions if shared_model.sort_key(i) > entry.model.applied_through),
                key=shared_model.sort_key,
            )
            tracks = await self.sources.resolve(username, [i["track_id"] for i in fresh])
            for interaction in fresh:
                entry.model.learn(interaction, tracks.get(interaction["track_id"]), settings)
            entry.since_training += len(fresh)
        if entry.since_training >= self.train_every:
            self._schedule_training(username)

    async def _replay(self, username: str, entry: CachedModel) -> None:
        async with entry.lock:
            history = [i.to_dict() for i in await self.store.interactions_after(username, None)]
            settings = await self._settings(username)
            tracks = await self.sources.resolve(username, [i["track_id"] for i in history])
            model = UserModel.new(settings)
            model.learn_many(history, tracks, settings)
            model.set_ensemble(entry.model.ensemble, entry.model.trained_on)
            entry.model = model

    def _schedule_training(self, username: str) -> None:
        if username not in self._training:
            self._training.add(username)
            self._spawn(self._train, username)

    async def _train(self, username: str) -> None:
        """Train the ensemble on the whole history (off the event loop) and save a snapshot."""
        try:
            history = [i.to_dict() for i in await self.store.interactions_after(username, None)]
            settings = await self._settings(username)
            tracks = await self.sources.resolve(username, [i["track_id"] for i in history])
            examples = shared_model.training_examples(history, tracks, settings)
            exported = await asyncio.to_thread(training.train_ensemble, examples)
            entry = await self.subscribe(username)
            async with entry.lock:
                entry.model.set_ensemble(exported, len(examples))
                version = entry.store_version + 1
                await self.store.put_model(
                    ModelSnapshot(username, version, shared_model.encode(entry.model),
                                  int(time.time() * 1000))
                )
                entry.store_version = version
                entry.since_training = 0
                entry.size = _approx_size(entry.model)
            log.info("trained %s on %d examples -> version %d", username, len(examples), version)
        except Exception:  # background work must never take the node down
            log.exception("training failed for %s", username)
        finally:
            self._training.discard(username)
