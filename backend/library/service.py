"""The library of this Encore: scan, analyse, report progress; resolve a track to its audio.

One node at a time does the work (a lease in the store, renewed while it runs); every node
answers `status()` from the shared state document the working node publishes every second or
so, and serves audio from the catalog.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge

from ..store import Store
from .covers import CoverCache
from .formats import MIME_TYPES, ffmpeg
from .scanner import READER, Scanner, ScanResult
from .transcode import TranscodeError, Transcoder
from .walk import inside

log = logging.getLogger("encore.library")

STATE = "local"  # the state document's name
LEASE = "library-work"
LEASE_TTL_S = 60.0
PUBLISH_EVERY_S = 1.0
MAX_FAILED_SHOWN = 500


class AudioUnavailable(LookupError):
    """No playable audio for this id: the message says why (for a 404)."""


class Library:
    def __init__(self, store: Store, folders: list[Path], data_dir: Path, workers: int,
                 registry: CollectorRegistry | None = None) -> None:
        self.store = store
        self.folders = folders
        self.workers = workers
        self.scanner = Scanner(store, folders, CoverCache(data_dir / "covers"),
                               can_transcode=ffmpeg() is not None)
        self.covers = self.scanner.covers
        self.transcoder = Transcoder(data_dir / "transcoded")
        self.owner = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.state: dict[str, Any] = _idle()
        self._published = 0.0
        self._read_at = 0.0
        self._phase_started = 0.0
        self._scan_failed: list[dict[str, str]] = []
        self._analysis_failed: list[dict[str, str]] = []
        self.on_change: list[Callable[[], None]] = []  # called after a scan changed the catalog
        self.stop = asyncio.Event()  # set at shutdown: the background work ends promptly
        self._tasks: set[asyncio.Task[None]] = set()
        self._metrics(registry or CollectorRegistry())

    @property
    def enabled(self) -> bool:
        return bool(self.folders)

    def _metrics(self, registry: CollectorRegistry) -> None:
        def gauge(name: str, what: str, key: str) -> None:
            Gauge(name, what, registry=registry).set_function(
                lambda: float(self.state.get(key) or 0) if key != "failed"
                else float(len(self.state.get("failed") or [])))

        gauge("encore_library_tracks", "Local tracks present in the library", "tracks")
        gauge("encore_library_analysed", "Local tracks whose audio is analysed", "analysed")
        gauge("encore_library_pending", "Local tracks waiting for audio analysis", "pending")
        gauge("encore_library_failed", "Library files or analyses that failed", "failed")
        gauge("encore_library_scanning", "1 while a scan or an analysis runs", "scanning")
        self.files_read = Counter("encore_library_files_read_total",
                                  "Files whose tags were read by a scan", registry=registry)
        self.tracks_analysed = Counter("encore_library_tracks_analysed_total",
                                       "Tracks analysed (done or failed)", registry=registry)

    # --- status ----------------------------------------------------------------------

    async def status(self) -> dict[str, Any]:
        """`{tracks, analysed, pending, failed, scanning, eta_s, phase, progress}`."""
        if self.state.get("scanning") and self._phase_started:  # this node does the work
            return {**self.state, "eta_s": self._eta()}
        if time.monotonic() - self._read_at > 1.0:
            stored = await self.store.get_library_state(STATE)
            self._read_at = time.monotonic()
            if stored:
                self.state = stored
        return dict(self.state)

    async def _publish(self, force: bool = False, **changes: Any) -> None:
        self.state.update(changes)
        self.state["failed"] = (self._scan_failed + self._analysis_failed)[:MAX_FAILED_SHOWN]
        self.state["eta_s"] = self._eta()
        if force or time.monotonic() - self._published >= PUBLISH_EVERY_S:
            self._published = time.monotonic()
            self.state["updated_at"] = int(time.time() * 1000)
            await self.store.put_library_state(STATE, self.state)

    def _eta(self) -> int | None:
        if not self.state.get("scanning"):
            return None
        progress = self.state.get("progress") or {}
        done, total = progress.get("done", 0), progress.get("total", 0)
        elapsed = time.monotonic() - self._phase_started
        if done <= 0 or elapsed <= 0:
            return None
        left = (total - done) * elapsed / done
        if self.state.get("phase") == "scanning":  # analysis comes after: ~1.5 s a track
            left += self.state.get("pending", 0) * 1.5 / max(1, self.workers)
        return round(left)

    async def _counts(self) -> None:
        counts = await self.store.catalog_counts("local")
        self.state.update(counts)

    # --- work ------------------------------------------------------------------------

    async def run(self, rescan_every_s: float = 0.0, stop: asyncio.Event | None = None) -> None:
        """The background job of a web node: scan and analyse whenever this node holds the
        lease; rescan every `rescan_every_s` (0: once); end when `stop` is set."""
        if stop is not None:
            self.stop = stop
        stored = await self.store.get_library_state(STATE)
        if stored:
            self.state = {**stored, "scanning": False}
            self._analysis_failed = [f for f in stored.get("failed", [])
                                     if f.get("stage") == "analysis"]
        while not self.stop.is_set():
            if await self.store.claim_lease(LEASE, self.owner, LEASE_TTL_S):
                heartbeat = asyncio.create_task(self._renew())
                try:
                    await self.scan()
                    if not self.stop.is_set():
                        await self.analyse()
                finally:
                    heartbeat.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await heartbeat
                    await self.store.release_lease(LEASE, self.owner)
                if rescan_every_s <= 0:
                    return
                await self._wait(rescan_every_s)
            else:
                await self._wait(LEASE_TTL_S / 2)  # another node works; try again later

    async def _wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop.wait(), seconds)

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(LEASE_TTL_S / 3)
            await self.store.claim_lease(LEASE, self.owner, LEASE_TTL_S)

    async def scan(self, progress: Callable[[int, int], None] | None = None) -> ScanResult:
        """Read what changed; everything once after an older reader (scanner.READER)."""
        reread = (await self.store.get_library_state(STATE) or {}).get("reader") != READER
        self._phase_started = time.monotonic()
        await self._publish(True, scanning=True, phase="scanning",
                            progress={"done": 0, "total": 0})

        def step(done: int, total: int) -> None:
            self.files_read.inc(done - self.state["progress"]["done"])
            self.state["progress"] = {"done": done, "total": total}
            if progress is not None:
                progress(done, total)
            if time.monotonic() - self._published >= PUBLISH_EVERY_S:  # other nodes see it too
                task = asyncio.get_running_loop().create_task(self._publish())
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

        try:
            result = await self.scanner.scan(step, reread=reread)
        except Exception:
            await self._publish(True, scanning=False, phase="idle")
            raise
        self._scan_failed = [{**f, "stage": "scan"} for f in result.failed]
        await self._counts()
        await self._publish(True, scanning=False, phase="idle", reader=READER,
                            scanned_at=int(time.time() * 1000), last_scan={
                                "files": result.files, "read": result.read,
                                "added": result.added, "vanished": result.vanished,
                                "seconds": round(result.seconds, 2)})
        if result.read or result.vanished:
            for callback in self.on_change:
                callback()
        log.info("library scan: %d files, %d read, %d new, %d vanished, %d failed in %.1f s",
                 result.files, result.read, result.added, result.vanished, len(result.failed),
                 result.seconds)
        return result

    async def analyse(self, progress: Callable[[int, int], None] | None = None,
                      workers: int | None = None) -> int:
        """Analyse every pending track in worker processes; how many were analysed."""
        count = self.workers if workers is None else workers
        if count <= 0:
            return 0
        from .analyser import Analyser

        pending = await self.store.catalog_ids("pending#local", limit=1_000_000)
        if not pending:
            return 0
        self._phase_started = time.monotonic()
        total = len(pending)
        await self._publish(True, scanning=True, phase="analysing",
                            progress={"done": 0, "total": total})

        async def done(track_id: str, location: str, error: str) -> None:
            self.tracks_analysed.inc()
            self.state["pending"] = max(0, self.state.get("pending", 0) - 1)
            if error:
                self.state["failed_analyses"] = self.state.get("failed_analyses", 0) + 1
                self._analysis_failed.append({"path": self._shown(location),
                                              "error": f"analysis: {error}",
                                              "stage": "analysis"})
            else:
                self.state["analysed"] = self.state.get("analysed", 0) + 1
            finished = self.state["progress"]["done"] + 1
            self.state["progress"] = {"done": finished, "total": total}
            if progress is not None:
                progress(finished, total)
            await self._publish()

        try:
            analysed = await Analyser(self.store, self.scanner.absolute, count,
                                      self.stop).run(pending, done)
        finally:
            await self._counts()
            await self._publish(True, scanning=False, phase="idle")
        return analysed

    def _servable(self, location: str) -> str | None:
        return _servable_path(self.scanner.roots, self.scanner.absolute(location))

    def _shown(self, location: str) -> str:
        root, _, path = location.partition("/")
        return self.scanner.shown(root, path)

    # --- audio -------------------------------------------------------------------------

    async def audio(self, track_id: str) -> tuple[Path, str]:
        """The file to send for a local track and its media type; AudioUnavailable if none.

        The path is checked again at request time: a file replaced by a symbolic link to
        somewhere outside the library since the scan is never served."""
        record = (await self.store.get_catalog_tracks([track_id])).get(track_id)
        if record is None or record.source != "local":
            raise AudioUnavailable("There is no local track with that id.")
        if not record.present or not record.location:
            raise AudioUnavailable("This track's file is no longer in the library.")
        real = await asyncio.to_thread(self._servable, record.location)
        if real is None:
            raise AudioUnavailable("This track's file is no longer in the library.")
        codec = str(record.doc.get("format", ""))
        if codec in MIME_TYPES:
            return Path(real), MIME_TYPES[codec]
        try:
            return await self.transcoder.playable(Path(real), track_id), MIME_TYPES["opus"]
        except TranscodeError as error:
            raise AudioUnavailable(f"This track cannot be played here: {error}.") from error


def _servable_path(roots: list[str], path: Path) -> str | None:
    real = os.path.realpath(path)
    return real if inside(real, roots) and os.path.isfile(real) else None


def _idle() -> dict[str, Any]:
    return {"tracks": 0, "analysed": 0, "pending": 0, "failed": [], "scanning": False,
            "eta_s": None, "phase": "idle", "progress": {"done": 0, "total": 0}}
