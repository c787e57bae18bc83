"""The analysis in worker processes is resumable: stopped midway (a node shutting down), the
next run analyses what is left and nothing twice, and every track ends done or pending."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from backend.library.analyser import Analyser
from backend.library.covers import CoverCache
from backend.library.scanner import Scanner
from backend.store.sqlite import SQLiteStore
from tests.library.media import click_track, make_track


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "data" / "encore.sqlite3")
    await s.open()
    yield s
    await s.close()


@pytest.mark.slow
async def test_a_stopped_analysis_resumes_where_it_stopped(store: SQLiteStore,
                                                           tmp_path: Path) -> None:
    for n, bpm in enumerate((80, 100, 120, 140, 160)):
        make_track(tmp_path / "Music", f"t{n}", "flac", signal=click_track(bpm, 8.0))
    scanner = Scanner(store, [tmp_path / "Music"], CoverCache(tmp_path / "covers"), True)
    await scanner.scan()
    pending = await store.catalog_ids("pending#local", limit=100)
    assert len(pending) == 5

    stop = asyncio.Event()
    first: list[str] = []

    async def stop_after_one(track_id: str, location: str, error: str) -> None:
        assert not error, error
        first.append(track_id)
        stop.set()  # as at a node's shutdown

    analysed = await Analyser(store, scanner.absolute, 1, stop).run(pending, stop_after_one)
    assert 1 <= analysed < 5
    records = await store.get_catalog_tracks(pending)
    assert {r.analysis for r in records.values()} == {"done", "pending"}  # nothing half-done
    done = {i for i, r in records.items() if r.analysis == "done"}
    assert set(first) <= done and all(records[i].features["tempo"] > 0 for i in done)
    left = await store.catalog_ids("pending#local", limit=100)
    assert sorted(left) == sorted(set(pending) - done)  # the queue in the store is the truth

    second: list[str] = []

    async def note(track_id: str, location: str, error: str) -> None:
        assert not error, error
        second.append(track_id)

    resumed = await Analyser(store, scanner.absolute, 1).run(pending, note)
    assert resumed == len(left) and sorted(second) == sorted(left)  # none analysed twice
    assert await store.catalog_ids("pending#local", limit=100) == []
