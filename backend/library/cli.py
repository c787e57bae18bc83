"""`python -m backend scan`: scan the library folders, then analyse, with a progress bar."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO


class ProgressBar:
    """One line redrawn in place on a terminal; a line every few seconds otherwise."""

    def __init__(self, label: str, out: TextIO = sys.stderr) -> None:
        self.label = label
        self.out = out
        self.started = time.monotonic()
        self.shown = 0.0
        self.tty = out.isatty()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.shown < (0.1 if self.tty else 5.0):
            return
        self.shown = now
        elapsed = now - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else 0.0
        width = 30
        filled = int(width * done / total) if total else width
        line = (f"{self.label:<9} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
                f"  {rate * 60:.0f}/min  eta {eta:.0f} s")
        self.out.write(("\r" + line + ("\n" if done >= total else "")) if self.tty
                       else line + "\n")
        self.out.flush()


async def scan(analyse: bool = True, workers: int | None = None) -> int:
    from .. import create_app

    app = create_app()
    library = app.library
    if not library.enabled:
        print("encore: set ENCORE_LIBRARY_DIRS to your music folders first", file=sys.stderr)
        return 2
    await app.store.open()
    try:
        if not await app.store.claim_lease("library-work", library.owner, 3600):
            print("encore: another Encore process is scanning this library right now",
                  file=sys.stderr)
            return 1
        try:
            result = await library.scan(ProgressBar("scanning"))
            print(f"{result.files} files: {result.read} read, {result.added} new, "
                  f"{result.vanished} gone, {len(result.failed)} failed "
                  f"({result.seconds:.1f} s)")
            for failure in result.failed:
                print(f"  failed: {failure['path']}: {failure['error']}")
            if analyse:
                count = workers if workers is not None else (os.cpu_count() or 1)
                started = time.monotonic()
                done = await library.analyse(ProgressBar("analysing"), workers=count)
                status = await library.status()
                print(f"analysed {done} tracks in {time.monotonic() - started:.1f} s; "
                      f"{status['analysed']} of {status['tracks']} analysed in all")
        finally:
            await app.store.release_lease("library-work", library.owner)
    finally:
        await app.store.close()
    return 0
