"""Trainings off the serving process: a bounded pool of worker processes.

scikit-learn fits, the export and full replays are CPU work that holds the GIL for long
stretches; in the web node's own process (even in a thread) they delay every request. Here
they run in at most `workers` separate processes (worker_processes.py: spawned, and ending
with the server), started on the first training and run at a lower priority than the server.
`workers=0` keeps the old behaviour (a thread of this process), for set-ups that
cannot start processes. One training per user at a time is the model service's job.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from shared_model import UserModel

from .worker_processes import spawn_pool

log = logging.getLogger("encore.training")
T = TypeVar("T")
NICENESS = 5  # trainings give way to requests when both want the CPU (not starved)


def train_recent(
    history: list[dict[str, Any]], tracks: dict[str, dict[str, Any]], settings: dict[str, Any],
    corrections: list[dict[str, Any]] | None = None,
) -> tuple[dict[str, Any] | None, int]:
    """The exported forest for recent history (None when too little) and its example count;
    what the listener's corrections forget is left out."""
    from shared_model import training_examples

    from . import training  # scikit-learn loads in the worker, never in the server

    examples = training_examples(history, tracks, settings, corrections or ())
    return training.train_ensemble(examples), len(examples)


def rebuild(
    history: list[dict[str, Any]], tracks: dict[str, dict[str, Any]], settings: dict[str, Any],
    corrections: list[dict[str, Any]] | None = None,
) -> UserModel:
    """The whole history replayed in order, and the forest trained on it (the listener's
    corrections honoured)."""
    from . import training

    return training.rebuild_model(history, tracks, settings, corrections or ())


class TrainingPool:
    def __init__(self, workers: int) -> None:
        self.workers = max(0, int(workers))
        self.started = 0  # trainings handed over so far (what tests and metrics count)
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = spawn_pool(self.workers, niceness=NICENESS)
        return self._executor

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) in a worker process; at most `workers` at once, the rest wait their turn."""
        self.started += 1
        if self.workers == 0:
            return await asyncio.to_thread(fn, *args)
        pool = self._pool()
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)
        except BrokenProcessPool:
            # A worker died (killed, out of memory): the next training starts a fresh pool.
            if self._executor is pool:
                self._executor = None
            raise

    async def train_recent(
        self, history: list[dict[str, Any]], tracks: dict[str, dict[str, Any]],
        settings: dict[str, Any], corrections: list[dict[str, Any]] | None = None,
    ) -> tuple[dict[str, Any] | None, int]:
        return await self.run(train_recent, history, tracks, settings, corrections)

    async def rebuild(
        self, history: list[dict[str, Any]], tracks: dict[str, dict[str, Any]],
        settings: dict[str, Any], corrections: list[dict[str, Any]] | None = None,
    ) -> UserModel:
        return await self.run(rebuild, history, tracks, settings, corrections)

    def close(self) -> None:
        """Drop waiting trainings; one still running finishes in its worker, unsaved (the
        model is retrained later), and the worker exits after it: shutting down never waits."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
