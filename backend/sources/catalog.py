"""A music source backed by the store's catalog (a local folder; any source that keeps its
tracks there), with candidate selection that never scores the whole library.

Each node keeps a compact index of the catalog (ids, artists, album, genre families: no tags,
no features), rebuilt when a scan changed the catalog. A feed asks for a few hundred
candidates: tracks by the artists and in the genres the listener recently finished or liked
(and the genres picked at onboarding), plus a random sample for exploration, minus what they
skipped. Only those are read from the store (with a short cache, so analysis results show up
within a minute) and ranked. The cost of a feed depends on the pool size, not the library's.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any

from shared_model.features import genre_families

from ..store import Store, StoreError
from ..store.catalog import CatalogTrack

log = logging.getLogger("encore.sources")

CANDIDATES = 300  # tracks handed to ranking per feed (the pool is 200)
HISTORY = 200  # recent interactions that steer the selection
TRACK_TTL_S = 30.0  # how long a track read from the store is reused
TRACK_CACHE = 5000  # tracks kept per node
INDEX_TTL_S = 300.0  # the index is rebuilt (in the background) at least this often: other
# nodes' scans
_POSITIVE = ("finished", "liked")
_NEGATIVE = ("skipped", "disliked")


@dataclass
class _Index:
    ids: list[str] = field(default_factory=list)
    position: dict[str, int] = field(default_factory=dict)
    artists: list[tuple[str, ...]] = field(default_factory=list)
    families: list[tuple[str, ...]] = field(default_factory=list)
    by_artist: dict[str, list[int]] = field(default_factory=dict)
    by_family: dict[str, list[int]] = field(default_factory=dict)
    built_at: float = 0.0


class CatalogSource:
    def __init__(self, store: Store, name: str = "local") -> None:
        self.store = store
        self.name = name
        self.prefix = f"{name}-"
        self._index = _Index()
        self._stale = True
        self._building = asyncio.Lock()
        self._rebuild: asyncio.Task[None] | None = None
        self._tracks: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    def owns(self, track_id: str) -> bool:
        return track_id.startswith(self.prefix)

    def changed(self) -> None:
        """The catalog changed (a scan): rebuild the index (in the background; feeds use the
        previous one meanwhile) and forget cached tracks."""
        self._stale = True
        self._tracks.clear()

    async def size(self) -> int:
        return len((await self._current()).ids)

    async def warm(self) -> None:
        """Build the index before the first feed needs it (a web node's start); a store that
        does not answer now leaves it to the first feed."""
        try:
            await self._current()
        except StoreError as error:
            log.warning("the %s catalog's index waits for the store: %s", self.name, error)

    async def _current(self) -> _Index:
        if not self._index.built_at or (self._stale and not self._index.ids):
            # never built, or empty until now: the caller waits (a rebuild then is quick)
            async with self._building:
                if not self._index.built_at or (self._stale and not self._index.ids):
                    self._stale = False
                    self._index = await self._build()
        elif (self._stale or time.monotonic() - self._index.built_at > INDEX_TTL_S) and (
                self._rebuild is None or self._rebuild.done()):
            self._stale = False
            self._rebuild = asyncio.get_running_loop().create_task(self._replace())
        return self._index

    async def _replace(self) -> None:
        self._index = await self._build()

    async def _build(self) -> _Index:
        index = _Index()
        after = ""
        while True:
            page = await self.store.catalog_tracks(self.name, after_id=after, limit=1000)
            await asyncio.to_thread(_add_page, index, page)  # the event loop keeps serving
            if len(page) < 1000:
                index.built_at = time.monotonic()
                return index
            after = page[-1].id

    async def select(self, username: str, settings: dict[str, Any], seed: str,
                     size: int = CANDIDATES) -> list[str]:
        """Candidate ids for a feed: taste-led picks and exploration, deterministic for a
        given seed (the feed changes when the listener does something, not on reload)."""
        index = await self._current()
        if not index.ids:
            return []
        history = (await self.store.list_interactions(username, HISTORY)).interactions
        rng = random.Random(f"{username}|{seed}|{history[0].id if history else ''}")
        avoid = {i.track_id for i in history if i.type in _NEGATIVE}
        liked = [index.position[i.track_id] for i in history
                 if i.type in _POSITIVE and i.track_id in index.position]
        artists = Counter(a for n in liked for a in index.artists[n])
        families = Counter(g for n in liked for g in index.families[n])
        for genre in genre_families(list(settings.get("favorite_genres") or [])):
            families[genre] += 3
        chosen: dict[int, None] = {}

        def take(pool: list[int], k: int) -> None:
            for n in rng.sample(pool, min(k, len(pool))):
                if len(chosen) < size and index.ids[n] not in avoid:
                    chosen[n] = None

        for artist, _ in artists.most_common(12):
            take(index.by_artist.get(artist, []), 8)
        for genre, _ in families.most_common(4):
            take(index.by_family.get(genre, []), size // 6)
        tries = 0
        while len(chosen) < min(size, len(index.ids) - len(avoid)) and tries < 4 * size:
            take([rng.randrange(len(index.ids))], 1)  # exploration: anywhere in the library
            tries += 1
        return [index.ids[n] for n in chosen]

    async def candidates(self, username: str, settings: dict[str, Any], seed: str = "",
                         size: int = CANDIDATES) -> list[dict[str, Any]]:
        ids = await self.select(username, settings, seed, size)
        found = await self.resolve(ids)
        return [found[i] for i in ids if i in found]

    async def resolve(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Tracks by id (vanished ones too: their history still names them), from a short
        cache or the store."""
        now = time.monotonic()
        found: dict[str, dict[str, Any]] = {}
        missing = []
        for track_id in ids:
            cached = self._tracks.get(track_id)
            if cached is not None and now - cached[0] < TRACK_TTL_S:
                found[track_id] = cached[1]
            else:
                missing.append(track_id)
        if missing:
            for track_id, record in (await self.store.get_catalog_tracks(missing)).items():
                track = record.track()
                found[track_id] = track
                self._tracks[track_id] = (now, track)
                self._tracks.move_to_end(track_id)
            while len(self._tracks) > TRACK_CACHE:
                self._tracks.popitem(last=False)
        return {i: _copy(t) for i, t in found.items()}


def _add_page(index: _Index, page: list[CatalogTrack]) -> None:
    for record in page:
        if not record.present:
            continue
        n = len(index.ids)
        index.ids.append(record.id)
        index.position[record.id] = n
        artists = tuple(str(a.get("id") or a.get("name")) for a in
                        record.doc.get("artists") or [])
        families = tuple(g for g in genre_families(record.doc.get("genres") or [])
                         if not g.startswith("other:"))
        index.artists.append(artists)
        index.families.append(families)
        for a in artists:
            index.by_artist.setdefault(a, []).append(n)
        for g in families:
            index.by_family.setdefault(g, []).append(n)


def _copy(track: dict[str, Any]) -> dict[str, Any]:
    """Deep enough that callers may add score/reason or edit lists freely."""
    album = track.get("album") or {}
    return {**track, "artists": [dict(a) for a in track.get("artists") or []],
            "album": {**album, "images": [dict(i) for i in album.get("images") or []]},
            "genres": list(track.get("genres") or []),
            "features": dict(track.get("features") or {})}
