"""The search index over every track Encore can find (the demo catalog and the store's
catalog of local and Subsonic tracks), and the query on top of it.

On SQLite the index is an FTS5 table in the store (store/search_sqlite.py), brought up to date
with the catalog's changes before a search when a few seconds have passed. On DynamoDB, which has
no full-text search, each node keeps its own index in memory (`MemoryIndex`: a trigram postings
list of the folded names, ~15 MB for 50,000 tracks) rebuilt from the catalog every few minutes
in the background. Either only proposes candidates; backend/search/text.py scores them, so both
stores answer the same query the same way.
"""

from __future__ import annotations

import array
import asyncio
import itertools
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..catalog.demo import demo_catalog
from ..store import Store
from . import text

log = logging.getLogger("encore.search")

CANDIDATES = 400  # proposed by an index for the scorer to judge
SQLITE_SYNC_EVERY_S = 5.0
MEMORY_REBUILD_EVERY_S = 300.0
CATALOG_SOURCES = ("local", "subsonic")
_PAGE = 1000


@dataclass
class Entry:
    id: str
    fields: dict[str, str]  # folded name, artists, album
    meta: dict[str, Any]  # artists [[id, name]], album [id, name, image], popularity


def entry_of(track: dict[str, Any]) -> Entry:
    album = track.get("album") or {}
    images = album.get("images") or []
    meta = {
        "artists": [[str(a.get("id") or ""), str(a.get("name") or "")]
                    for a in track.get("artists") or []],
        "album": [str(album.get("id") or ""), str(album.get("name") or ""),
                  images[0].get("url") if images else None],
        "pop": track.get("popularity") if isinstance(track.get("popularity"), int) else 0,
    }
    return Entry(str(track["id"]), text.track_fields(track), meta)


class MemoryIndex:
    """Trigram postings over the folded text of each entry (ids as compact arrays)."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        postings: dict[str, list[int]] = {}
        for number, entry in enumerate(entries):
            grams: set[str] = set()
            for value in entry.fields.values():
                for word in value.split():
                    grams |= text.trigrams(word)
            for gram in grams:
                postings.setdefault(gram, []).append(number)
        self.postings = {g: array.array("i", ids) for g, ids in postings.items()}

    def candidates(self, grams: list[str], short: list[str], limit: int,
                   sources: tuple[str, ...] | None = None) -> list[Entry]:
        """The entries sharing most trigrams with the query (or, for words under three letters,
        with a word starting so), of `sources` only (ids start with the source's name)."""
        prefixes = tuple(f"{s}-" for s in sources) if sources is not None else None
        if grams:
            counts: Counter[int] = Counter()
            for gram in grams:
                counts.update(self.postings.get(gram, ()))
            if prefixes is None:
                return [self.entries[i] for i, _ in counts.most_common(limit)]
            ranked = (self.entries[i] for i, _ in counts.most_common())
            return list(itertools.islice((e for e in ranked if e.id.startswith(prefixes)), limit))
        found = []
        for entry in self.entries:
            if prefixes is not None and not entry.id.startswith(prefixes):
                continue
            values = " " + " ".join(entry.fields.values())
            if all(f" {w}" in values for w in short):
                found.append(entry)
                if len(found) >= limit:
                    break
        return found


class SearchIndex:
    def __init__(self, store: Store, spawn: Callable[..., Any] | None = None) -> None:
        self.store = store
        self._spawn = spawn  # schedules background work (app.add_background_task)
        self._memory: MemoryIndex | None = None
        self._built_at = 0.0
        self._synced_at = 0.0
        self._lock = asyncio.Lock()
        self._rebuilding: asyncio.Task[None] | None = None
        self._dirty = False  # refresh() was called: rebuild before the next answer

    @property
    def uses_fts(self) -> bool:
        return hasattr(self.store, "search_rows")

    async def candidates(self, query: list[str],
                         sources: tuple[str, ...] | None = None) -> list[Entry]:
        """Candidates for `query`, of `sources` only when given (the sources the listener's
        feed plays: MusicSources.playing)."""
        grams = sorted(text.query_trigrams(query))
        short = [w for w in query if len(w) < 3] if not grams else []
        if self.uses_fts:
            await self._sync_sqlite()
            rows = await self.store.search_rows(  # type: ignore[attr-defined]
                grams, short, CANDIDATES, sources)
            return [Entry(r[0], {"name": r[1], "artists": r[2], "album": r[3]}, r[4])
                    for r in rows]
        memory = await self._memory_index()
        return memory.candidates(grams, short, CANDIDATES, sources)

    # -- SQLite: FTS5 in the store, caught up with the catalog's changes ---------------------
    async def _sync_sqlite(self) -> None:
        if time.monotonic() - self._synced_at < SQLITE_SYNC_EVERY_S:
            return
        async with self._lock:
            if time.monotonic() - self._synced_at < SQLITE_SYNC_EVERY_S:
                return
            store: Any = self.store
            demo = demo_catalog()
            if await store.search_state("demo") != str(len(demo)):
                await store.put_search_rows([_row(entry_of(t)) for t in demo], [])
                await store.set_search_state("demo", str(len(demo)))
            mark = json.loads(await store.search_state("catalog") or "[0, \"\"]")
            while True:
                changes = await store.catalog_changes((int(mark[0]), str(mark[1])), _PAGE)
                if not changes:
                    break
                rows, gone = [], []
                for track_id, doc, present, updated_at in changes:
                    if present:
                        rows.append(_row(entry_of({**json.loads(doc), "id": track_id})))
                    else:
                        gone.append(track_id)
                    mark = [updated_at, track_id]
                await store.put_search_rows(rows, gone)
                await store.set_search_state("catalog", json.dumps(mark))
            self._synced_at = time.monotonic()

    # -- DynamoDB: a per-node index rebuilt from the catalog ---------------------------------
    async def _memory_index(self) -> MemoryIndex:
        if self._memory is None or self._dirty:
            async with self._lock:
                if self._memory is None or self._dirty:
                    self._dirty = False
                    await self._rebuild()
        elif time.monotonic() - self._built_at > MEMORY_REBUILD_EVERY_S and (
                self._rebuilding is None or self._rebuilding.done()):
            self._rebuilding = asyncio.create_task(self._rebuild())  # serve the old one meanwhile
            if self._spawn is not None:  # the app awaits it at shutdown
                self._spawn(asyncio.wait, [self._rebuilding])
        assert self._memory is not None
        return self._memory

    async def _rebuild(self) -> None:
        started = time.monotonic()
        entries = [entry_of(t) for t in demo_catalog()]
        for source in CATALOG_SOURCES:
            after = ""
            while True:
                page = await self.store.catalog_tracks(source, after, _PAGE)
                entries += [entry_of({**t.doc, "id": t.id}) for t in page if t.present]
                if len(page) < _PAGE:
                    break
                after = page[-1].id
        self._memory = await asyncio.to_thread(MemoryIndex, entries)
        self._built_at = time.monotonic()
        log.info("search index: %d tracks in %.1f s", len(entries), time.monotonic() - started)

    def refresh(self) -> None:
        """The catalog changed on this node (a scan): the next search looks again first."""
        self._synced_at = 0.0
        self._dirty = True


def _row(entry: Entry) -> tuple[str, str, str, str, dict[str, Any]]:
    return (entry.id, entry.fields["name"], entry.fields["artists"], entry.fields["album"],
            entry.meta)
