"""Run the audio analysis in worker processes, off the request path, resumably.

The pending set is in the store (the catalog's `pending#local` links), so a restart picks up
where the last run stopped. Each worker is a fresh interpreter that ends with the web node
(worker_processes.py), handles at most MAX_TASKS tracks before it is
replaced (librosa and numba keep caches: memory stays bounded), and decodes only a 30-second
excerpt. At most two tracks per worker are in flight, so memory does not grow with the queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..store import Store
from ..worker_processes import spawn_pool

MAX_TASKS = 200  # tracks per worker process before it is replaced
Done = Callable[[str, str, str], Awaitable[None]]  # (track id, location, error or "")


def _analyse(path: str, duration_ms: int) -> dict[str, float] | str:
    """In the worker: the features, or the reason there are none (never raises)."""
    from .analysis import AnalysisError, analyse_file

    try:
        return analyse_file(path, duration_ms)
    except AnalysisError as error:
        return str(error)
    except Exception as error:  # noqa: BLE001 - a bad file must never stop the queue
        return f"{type(error).__name__}: {error}"[:300]


class Analyser:
    def __init__(self, store: Store, absolute: Callable[[str], Path], workers: int,
                 stop: asyncio.Event | None = None) -> None:
        self.store = store
        self.absolute = absolute
        self.workers = max(1, workers)
        self.stop = stop or asyncio.Event()

    async def run(self, ids: list[str], done: Done) -> int:
        loop = asyncio.get_running_loop()
        pool = spawn_pool(self.workers, max_tasks_per_child=MAX_TASKS)
        slots = asyncio.Semaphore(2 * self.workers)
        analysed = 0

        async def one(track_id: str, location: str, duration_ms: int) -> None:
            nonlocal analysed
            try:
                result = await loop.run_in_executor(pool, _analyse,
                                                    str(self.absolute(location)), duration_ms)
            except BrokenProcessPool:
                result = "the analysis worker crashed (out of memory?)"
            finally:
                slots.release()
            if isinstance(result, dict):
                await self.store.set_catalog_analysis(track_id, "done", result)
                await done(track_id, location, "")
                analysed += 1
            else:
                await self.store.set_catalog_analysis(track_id, "failed", {}, result)
                await done(track_id, location, result)

        tasks: list[asyncio.Task[None]] = []
        try:
            for start in range(0, len(ids), 100):
                records = await self.store.get_catalog_tracks(ids[start:start + 100])
                for track_id in ids[start:start + 100]:
                    record = records.get(track_id)
                    if record is None or not record.present or record.analysis != "pending":
                        continue
                    await slots.acquire()
                    if self.stop.is_set():
                        slots.release()
                        return analysed
                    duration = int(record.doc.get("duration_ms") or 0)
                    tasks.append(asyncio.create_task(one(track_id, record.location, duration)))
                tasks = [t for t in tasks if not t.done()]
            if tasks:
                await asyncio.gather(*tasks)
            return analysed
        finally:
            for task in tasks:
                task.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
