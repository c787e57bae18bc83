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
from shared_model import UserModel, device
from shared_model.model import DAY_MS
from shared_model.taste import correction_key

from .memory_kernel import install as install_memory_kernel
from .rank_memo import FirstFeeds, RankMemo, untouched, valid_until
from .sources import MusicSources
from .store import ModelConflict, ModelSnapshot, Store
from .training_pool import TrainingPool
from .user_settings import settings_of

log = logging.getLogger("encore.model")

CATCH_UP_EVERY_S = 1.0  # how often a cached model re-checks the store before answering
TRAIN_WINDOW = 5000  # the forest learns from this many recent interactions (bounded cost)
# A catch-up learns in slices of this much time, then lets the event loop turn: a request
# in flight needs several turns (body, store, answer), so long slices multiply its latency.
LEARN_SLICE_S = 0.004
REPLAY_EVERY_S = 60.0  # full replays for late arrivals, at most this often per user
TRAIN_REST_MAX_S = 5.0  # a user's rest between trainings, at most (a cold pool's start is slow)


@dataclass
class CachedModel:
    model: UserModel
    store_version: int  # the snapshot version it was built on (0 = none)
    size: int  # approximate bytes held
    owner: int | None = None  # the `created_at` of the account it is for (None: no account)
    checked_at: float = 0.0
    generation: int = 0  # bumped when new interactions are stored
    caught_up: int = 0  # the generation the last catch-up started at (it saw all before it)
    since_training: int = 0
    replay_due: bool = False  # late interactions wait for the next full replay
    replayed_at: float = float("-inf")
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    ranking: RankMemo | None = None  # the last feed ranking (rank_memo.py)

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
        self,
        store: Store,
        sources: MusicSources,
        *,
        cache_bytes: int,
        train_every: int,
        spawn: Any,
        trainer: TrainingPool | None = None,
    ) -> None:
        self.store = store
        self.sources = sources
        self.cache_bytes = cache_bytes
        self.train_every = train_every
        self._spawn = spawn  # schedules background work (app.add_background_task)
        self.trainer = trainer or TrainingPool(0)
        self._cache: OrderedDict[str, CachedModel] = OrderedDict()
        self._first_feeds = FirstFeeds()  # untouched listeners' rankings (rank_memo.py)
        self._loading: dict[str, asyncio.Lock] = {}
        self._training: set[str] = set()
        # Held while a snapshot is saved and while an account is erased, so neither lands in
        # the middle of the other (a snapshot saved mid-erasure outlived the account).
        self._saving = asyncio.Lock()
        install_memory_kernel()  # new candidates' memory rows in numpy, same bits as the page

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

    def evict(self, username: str) -> None:
        """Forget the user's cached model (their account is gone)."""
        self._cache.pop(username, None)

    async def erase_account(self, username: str) -> None:
        """Erase everything stored about the user, with no snapshot of theirs saved meanwhile
        (a training under way sees the account gone and saves nothing)."""
        async with self._saving:
            await self.store.delete_user_data(username)
            self.evict(username)

    def stale(self, username: str) -> None:
        """New interactions were stored: the next answer must catch up with the store first."""
        entry = self._cache.get(username)
        if entry is not None:
            entry.checked_at = 0.0
            entry.generation += 1

    # --- the three operations ----------------------------------------------------------
    async def subscribe(self, username: str, fresh: bool = False) -> CachedModel:
        """The user's model, loaded (or rebuilt) and caught up with the store (`fresh`: with
        everything stored before this call, not just as of a second ago)."""
        entry = self._cache.get(username)
        if entry is None:
            lock = self._loading.setdefault(username, asyncio.Lock())
            async with lock:
                entry = self._cache.get(username) or await self._load(username)
                self._remember(username, entry)
            self._loading.pop(username, None)
        else:
            self._cache.move_to_end(username)
        await self._catch_up(username, entry, entry.generation if fresh else None)
        return entry

    async def receive_info(self, username: str, interactions: list[dict[str, Any]]) -> CachedModel:
        """Learn from newly stored interactions; retrain every `train_every`.

        The interactions are already in the store, so catching up applies them in order; a
        flood of them is learned in a few catch-ups, not one each (any catch-up that starts
        after they were stored has them). One that sorts before what the model had already
        applied (an offline device sending late) cannot be learned incrementally: the whole
        history is replayed, as in the browser.
        """
        cached = self._cache.get(username)
        applied_before = cached.model.applied_through if cached else ""
        self.stale(username)
        entry = await self.subscribe(username, fresh=True)
        if any(shared_model.sort_key(i) <= applied_before for i in interactions):
            entry.replay_due = True
            if time.monotonic() - entry.replayed_at > REPLAY_EVERY_S:
                self.schedule_training(username)
        return entry

    async def suggest(
        self, username: str, candidates: list[dict[str, Any]], limit: int,
        now_ms: int | None = None, fresh_start: bool = False,
    ) -> dict[str, Any]:
        """`fresh_start`: ranked as a day later would (songs heard or skipped within the day are
        not held back), for a listener starting over a library they heard through."""
        entry = await self.subscribe(username)
        settings = await self._settings(username)
        now = now_ms or int(time.time() * 1000)
        if fresh_start:  # a one-off: not remembered for the next feed
            ranked = device.rank_feed(entry.model, candidates, settings, limit, now + DAY_MS)
            return {"track_ids": [t["id"] for t in ranked], "scores": [t["score"] for t in ranked],
                    "reasons": [t["reason"] for t in ranked], "model_version": entry.version}
        key = RankMemo.key_for(entry.version, entry.model, settings, candidates, limit)
        if entry.ranking is not None and (again := entry.ranking.answers(key, now)):
            return again  # nothing it depends on changed (rank_memo.py)
        first = FirstFeeds.key_for(settings, candidates, limit) if untouched(entry.model) else None
        lists = self._first_feeds.get(first) if first is not None else None
        if lists is None:
            ranked = device.rank_feed(entry.model, candidates, settings, limit, now)
            lists = {
                "track_ids": [t["id"] for t in ranked],
                "scores": [t["score"] for t in ranked],
                "reasons": [t["reason"] for t in ranked],  # the feed shows them
            }
            if first is not None:
                self._first_feeds.put(first, candidates, lists)
        answer = {**lists, "model_version": entry.version}
        entry.ranking = RankMemo(key, candidates, valid_until(entry.model, now), answer)
        return entry.ranking.answers(key, now) or answer

    async def snapshot(self, username: str) -> tuple[str, dict[str, Any]]:
        entry = await self.subscribe(username)
        return entry.version, entry.model.to_dict()

    # --- internals ---------------------------------------------------------------------
    async def _owner(self, username: str) -> int | None:
        user = await self.store.get_user(username)
        return user.created_at if user else None

    async def _settings(self, username: str) -> dict[str, Any]:
        user = await self.store.get_user(username)
        return settings_of(user) if user else dict(shared_model.DEFAULT_SETTINGS)

    async def _load(self, username: str) -> CachedModel:
        user = await self.store.get_user(username)
        snapshot = await self.store.get_model(username)
        model: UserModel | None = None
        if snapshot is not None and not snapshot.belongs_to(user):
            # Saved for an erased account that had the name (another node's training saved it
            # as the erasure ran): this listener starts fresh, and their first save replaces
            # it (its version is kept for that).
            log.info("ignoring a snapshot of %s's previous account", username)
        elif snapshot is not None:
            try:
                model = shared_model.decode(snapshot.blob)
            except ValueError as error:  # an old schema: rebuild from the interactions
                log.info("rebuilding %s's model: %s", username, error)
        if model is None:
            model = UserModel.new(settings_of(user) if user else
                                  dict(shared_model.DEFAULT_SETTINGS))
        entry = CachedModel(model, snapshot.version if snapshot else 0, _approx_size(model),
                            user.created_at if user else None)
        count = await self.store.count_interactions(username)
        if model.ensemble is None and count >= self.train_every:
            self.schedule_training(username)
        return entry

    async def _catch_up(self, username: str, entry: CachedModel, need: int | None = None) -> None:
        """Learn what the store has beyond the model; at most once a second, unless `need`
        (a generation) is given: then only if no catch-up has started since it."""

        def done() -> bool:
            if need is not None:
                return entry.caught_up >= need
            return time.monotonic() - entry.checked_at < CATCH_UP_EVERY_S

        if done():
            return
        async with entry.lock:
            if done():
                return  # another request caught up while this one waited
            started, generation = time.monotonic(), entry.generation
            entry.caught_up = generation
            stored = await self.store.get_model_version(username)
            if await self._owner(username) != entry.owner:
                # the account was erased on another node (and the name maybe taken again):
                # what this node cached was learned from the old account's plays
                await self._take_stored(username, entry)
            elif stored is not None and stored > entry.store_version:
                await self._take_stored(username, entry)  # another node trained
            else:
                await self._learn_newer(username, entry)
            if entry.generation == generation:  # nothing was stored meanwhile
                entry.checked_at = started
        if entry.since_training >= self.train_every:
            self.schedule_training(username)

    async def _take_stored(self, username: str, entry: CachedModel) -> None:
        """Replace the cached model by the stored snapshot, then learn what is newer (lock
        held)."""
        fresh = await self._load(username)
        entry.model, entry.store_version, entry.size = fresh.model, fresh.store_version, fresh.size
        entry.owner = fresh.owner
        entry.since_training = 0
        await self._learn_newer(username, entry)

    async def _take_corrections(self, username: str, entry: CachedModel) -> None:
        """Apply the listener's corrections stored since the model's last (lock held), before
        any newer interaction. Filters and a reset act at once; what a forget or a late
        correction unteaches needs a replay, scheduled now rather than within the minute."""
        stored = [c.to_dict() for c in await self.store.list_corrections(username)]
        taste = entry.model.taste
        if len(stored) == taste.count:
            return
        newer = [c for c in stored if correction_key(c) > taste.through]
        replay = len(stored) - len(newer) != taste.count  # one arrived late: order matters
        settings = await self._settings(username)
        for correction in newer:
            replay = entry.model.correct(correction, settings) or replay
        if replay:
            entry.replay_due, entry.replayed_at = True, float("-inf")
            self.schedule_training(username)

    async def _learn_newer(self, username: str, entry: CachedModel) -> int:
        """Apply, in order, the stored corrections and then the interactions after the
        model's last one (lock held)."""
        await self._take_corrections(username, entry)
        newer = [
            i.to_dict()
            for i in await self.store.interactions_after(
                username, entry.model.applied_through or None
            )
        ]
        if not newer:
            return 0
        settings = await self._settings(username)
        tracks = await self.sources.resolve(username, [i["track_id"] for i in newer],
                                            read_only=True)
        entry.model = device.settled(entry.model, settings)  # picks made after the first load
        sliced_at = time.perf_counter()
        for interaction in newer:
            entry.model.learn(interaction, tracks.get(interaction["track_id"]), settings)
            if time.perf_counter() - sliced_at > LEARN_SLICE_S:
                await asyncio.sleep(0)  # a flood's catch-up lets requests in between slices
                sliced_at = time.perf_counter()
        entry.since_training += len(newer)
        return len(newer)

    async def _rebuilt(self, username: str) -> UserModel:
        """The whole history replayed in order and the ensemble trained on it (in the
        training pool; at most one at a time per user, so late arrivals never pile up)."""
        history = [i.to_dict() for i in await self.store.interactions_after(username, None)]
        settings = await self._settings(username)
        tracks = await self.sources.resolve(username, [i["track_id"] for i in history],
                                            read_only=True)
        corrections = [c.to_dict() for c in await self.store.list_corrections(username)]
        return await self.trainer.rebuild(history, tracks, settings, corrections)

    def schedule_training(self, username: str) -> None:
        """Coalesced: while a user's training is scheduled or running, more triggers add
        nothing (the one running re-schedules itself if enough arrived meanwhile)."""
        if username not in self._training:
            self._training.add(username)
            self._spawn(self._train, username)

    def training(self) -> bool:
        """Whether any training is scheduled or running on this node."""
        return bool(self._training)

    async def _train(self, username: str) -> None:
        """Train, and again while enough arrived meanwhile; between two trainings of one user
        the task rests as long as the last one took (at most TRAIN_REST_MAX_S), so a flood of
        plays from one listener keeps about half a training worker busy, not fit after fit
        (the user stays in `_training` all along: triggers meanwhile add nothing)."""
        try:
            while True:
                started = time.monotonic()
                if not await self._train_once(username) or not self._training_due(username):
                    return
                await asyncio.sleep(min(time.monotonic() - started, TRAIN_REST_MAX_S))
        finally:
            self._training.discard(username)

    def _training_due(self, username: str) -> bool:
        cached = self._cache.get(username)
        return cached is not None and (
            cached.since_training >= self.train_every
            or (cached.replay_due and time.monotonic() - cached.replayed_at > REPLAY_EVERY_S)
        )

    async def _train_once(self, username: str) -> bool:
        """Train the forest on recent history and save a snapshot; replay everything first
        when interactions arrived late (at most once per REPLAY_EVERY_S per user). False
        when it failed or the account is gone.

        A replay makes the snapshot exactly what the browser reaches from the same
        interactions, whatever order they arrived in; in-order arrivals need none.
        """
        seen = 0
        try:
            owner = await self.store.get_user(username)
            if owner is None:
                return False
            cached = self._cache.get(username)
            replay = cached is None or (
                cached.replay_due and time.monotonic() - cached.replayed_at > REPLAY_EVERY_S
            )
            if cached is not None and replay:
                cached.replay_due, cached.replayed_at = False, time.monotonic()
            settings = settings_of(owner)
            if replay:
                model: UserModel | None = await self._rebuilt(username)
                exported, trained_on = None, 0
            else:
                assert cached is not None
                seen = cached.since_training  # what this training's history already holds
                recent = await self.store.list_interactions(username, TRAIN_WINDOW)
                history = [i.to_dict() for i in reversed(recent.interactions)]
                tracks = await self.sources.resolve(
                    username, [i["track_id"] for i in history], read_only=True)
                corrections = [c.to_dict()
                               for c in await self.store.list_corrections(username)]
                exported, trained_on = await self.trainer.train_recent(
                    history, tracks, settings, corrections)
                model = None
            entry = await self.subscribe(username)
            async with entry.lock, self._saving:
                current = await self.store.get_user(username)
                if (current is None or current.created_at != owner.created_at
                        or entry.owner != owner.created_at):
                    # Deleted while this trained (and maybe signed up again under the same
                    # name: that listener must not get the old account's model). Another
                    # node may still erase it between this check and the save below: see
                    # after the save.
                    self.evict(username)
                    return False
                if model is not None:
                    entry.model, entry.since_training = model, 0
                    await self._learn_newer(username, entry)  # stored while training ran
                else:
                    entry.model.set_ensemble(exported, trained_on)
                    # what arrived while it trained counts towards the next training
                    entry.since_training = max(0, entry.since_training - seen)
                version = entry.store_version + 1
                # zlib's level 9 (~10 ms for a 5,000-play forest) lets go of the GIL in a
                # thread, so the event loop answers meanwhile; the lock keeps the model still
                blob = await asyncio.to_thread(shared_model.encode, entry.model)
                snapshot = ModelSnapshot(username, version, blob, int(time.time() * 1000),
                                         owner.created_at)
                try:
                    await self.store.put_model(snapshot, entry.store_version)
                except ModelConflict:
                    # Another node saved first: take its snapshot rather than overwrite it, and
                    # learn what is newer (enough of it schedules a retrain below). A replay
                    # is redone, since the other snapshot may not include the late arrivals.
                    await self._take_stored(username, entry)
                    if replay:
                        entry.replay_due, entry.replayed_at = True, float("-inf")
                    log.info("%s's model was saved by another node first; reloaded version %d",
                             username, entry.store_version)
                else:
                    entry.store_version = version
                    entry.size = _approx_size(entry.model)
                    log.info(
                        "trained %s (%d examples%s) -> version %d", username,
                        entry.model.trained_on, ", full replay" if replay else "", version,
                    )
                    if await self._owner(username) != owner.created_at:
                        # Erased on another node between the check and the save: the snapshot
                        # goes as the rest of the account did. (Should this node stop first,
                        # it names its account, so the name's next holder ignores it.)
                        await self.store.delete_model(username, version)
                        self.evict(username)
                        return False
        except Exception:  # background work must never take the node down
            log.exception("training failed for %s", username)
            return False  # the next catch-up asks again: no hot loop while the store is down
        return True
