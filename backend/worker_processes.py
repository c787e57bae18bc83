"""Worker processes for CPU work off the serving process (trainings, audio analysis) that end
with the server that spawned them.

Spawned, not forked, so nothing of the event loop, its threads or sockets is inherited. A
server killed outright (SIGKILL, the OOM killer) runs no shutdown; its workers would then wait
for work forever, each a Python with scikit-learn or librosa loaded. So each worker watches
the server's pid and exits once it is no longer its parent.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

PARENT_CHECK_S = 1.0  # how often a worker checks that its server still runs


def spawn_pool(workers: int, niceness: int = 0, **options: Any) -> ProcessPoolExecutor:
    """A pool of `workers` spawned processes, at `niceness` below the server's priority."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start, initargs=(os.getpid(), niceness), **options)


def _start(server: int, niceness: int) -> None:
    if niceness:
        try:
            os.nice(niceness)
        except OSError:  # not allowed here: same priority, still off the event loop
            pass
    # The server's pid comes from the server: if it was killed while this worker started up,
    # the worker is already re-parented, and os.getppid() would name the new parent.
    threading.Thread(target=_exit_with_server, args=(server,), daemon=True,
                     name="encore-server-watch").start()


def _exit_with_server(server: int) -> None:
    while os.getppid() == server:
        time.sleep(PARENT_CHECK_S)
    os._exit(0)
