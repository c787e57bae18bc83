"""The incremental scan: walk the folders, read only what changed, keep every id's history.

A file is read again only when its size or mtime changed (or it failed last time); a rescan
of an unchanged library is a walk and one read of the file index. A file that vanished leaves
its track in the catalog marked absent, so interactions keep naming it; the same audio found
at another path (moved, renamed) is the same id, present again, with its history.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..store import Store
from ..store.catalog import CatalogTrack, LibraryFile
from .contentid import NotAudio, content_id
from .covers import CoverCache, CoverError, folder_cover
from .records import local_record
from .tags import TagError, Tags, read_tags
from .walk import Found, walk

BATCH = 64  # files read per thread hop and per store write
# What the reader knows. A library last scanned by an older reader is read again once, whole
# (ids and analyses stay): 2 read WAV RIFF INFO tags, MP3 lengths from the frames where there
# is no Xing header, and the covers of multi-disc albums; 3 AIFF's NAME and AUTH chunks.
READER = 3
Progress = Callable[[int, int], None]  # (files read so far, files to read)


@dataclass
class ScanResult:
    files: int = 0  # music files found
    read: int = 0  # files whose tags were read (new or changed)
    added: int = 0  # track ids new to the library
    vanished: int = 0  # track ids no file has any more (kept, marked absent)
    failed: list[dict[str, str]] = field(default_factory=list)  # [{path, error}]
    seconds: float = 0.0


@dataclass
class _Read:
    found: Found
    tags: Tags | None = None
    track_id: str = ""
    cover: str | None = None
    error: str = ""  # fatal: the file is not in the catalog
    warning: str = ""  # the track is in, something about it is not (an oversized cover)


def inspect(path: str, can_transcode: bool) -> tuple[Tags | None, str, str]:
    """(tags, id, "") for a usable music file, else (None, "", why not)."""
    try:
        tags = read_tags(path)
        if not tags.codec.playable and not can_transcode:
            return None, "", (f"{tags.codec.name.upper()} audio: browsers cannot play it and "
                              "ffmpeg is not installed to transcode it")
        return tags, content_id(path), ""
    except (TagError, NotAudio) as error:
        return None, "", str(error)
    except OSError as error:
        return None, "", f"cannot read it: {error.strerror or error}"


class Scanner:
    def __init__(self, store: Store, folders: list[Path], covers: CoverCache,
                 can_transcode: bool) -> None:
        self.store = store
        self.folders = folders
        self.roots = [os.path.realpath(f) for f in folders]
        self.covers = covers
        self.can_transcode = can_transcode

    def absolute(self, location: str) -> Path:
        root, _, rel = location.partition("/")
        return Path(self.roots[int(root)]) / rel

    def shown(self, root: str, path: str) -> str:
        """A path as the listener sees it: relative to its folder (named when several)."""
        if len(self.folders) > 1 and root.isdigit() and int(root) < len(self.folders):
            return f"{self.folders[int(root)].name}/{path}"
        return path

    def _read(self, batch: list[Found], folder_covers: dict[str, str | None]) -> list[_Read]:
        out = []
        for found in batch:
            path = self.absolute(f"{found.root}/{found.path}")
            tags, track_id, error = inspect(str(path), self.can_transcode)
            item = _Read(found, tags, track_id, error=error)
            if tags is not None:
                item.warning = tags.picture_error
                try:
                    if tags.picture is not None:
                        item.cover = self.covers.add(tags.picture)
                    else:
                        item.cover = self._folder_cover(path.parent, folder_covers)
                except CoverError as cover_error:
                    item.warning = f"cover: {cover_error}"
                tags.picture = None  # nothing keeps a big picture alive
            out.append(item)
        return out

    def _folder_cover(self, folder: Path, cache: dict[str, str | None]) -> str | None:
        if str(folder) not in cache:
            image = folder_cover(folder, self.roots)
            try:
                cache[str(folder)] = self.covers.add_file(image) if image else None
            except (CoverError, OSError):
                cache[str(folder)] = None
        return cache[str(folder)]

    async def scan(self, progress: Progress | None = None, reread: bool = False) -> ScanResult:
        """`reread`: read every file, changed or not (a newer READER)."""
        started = time.monotonic()
        found = await asyncio.to_thread(lambda: list(walk(self.folders)))
        known: dict[tuple[str, str], LibraryFile] = {}
        for root in {str(i) for i in range(len(self.folders))}:
            known.update({(f.root, f.path): f for f in await self.store.library_files(root)})
        ids_before = {f.track_id for f in known.values() if f.track_id}
        result = ScanResult(files=sum(1 for f in found if not f.error))
        seen = {(f.root, f.path) for f in found if not f.error}  # walk errors: recomputed
        to_read = [f for f in found
                   if not f.error and (reread or _changed(known.get((f.root, f.path)), f))]
        current = {(f.root, f.path): f for f in known.values() if (f.root, f.path) in seen}
        folder_covers: dict[str, str | None] = {}
        now = int(time.time() * 1000)
        for start in range(0, len(to_read), BATCH):
            batch = await asyncio.to_thread(self._read, to_read[start:start + BATCH],
                                            folder_covers)
            records: list[CatalogTrack] = []
            files: list[LibraryFile] = []
            for item in batch:
                f = item.found
                if item.tags is not None:
                    records.append(local_record(item.tags, item.track_id, f"{f.root}/{f.path}",
                                                item.cover, now))
                files.append(LibraryFile(f.root, f.path, f.size, f.mtime_ns, item.track_id,
                                         item.error or item.warning))
            unique = {r.id: r for r in records}  # the same audio twice in one batch
            await self.store.put_catalog_tracks(list(unique.values()))
            await self.store.put_library_files(files)
            current.update({(f.root, f.path): f for f in files})
            result.read += len(batch)
            if progress is not None:
                progress(result.read, len(to_read))
        gone = [key for key in known if key not in seen]
        for root in {r for r, _ in gone}:
            await self.store.delete_library_files(root, [p for r, p in gone if r == root])
        ids_now = {f.track_id for f in current.values() if f.track_id}
        vanished = sorted(ids_before - ids_now)
        await self.store.set_catalog_present(vanished, False, now)
        await self._relocate(gone, known, current)
        result.added = len(ids_now - ids_before)
        result.vanished = len(vanished)
        result.failed = [{"path": self.shown(f.root, f.path), "error": f.error}
                         for f in sorted(current.values(), key=lambda f: (f.root, f.path))
                         if f.error]
        result.failed += [{"path": self.shown(f.root, f.path), "error": f.error}
                          for f in found if f.error]
        result.seconds = time.monotonic() - started
        return result

    async def _relocate(self, gone: list[tuple[str, str]], known: dict[tuple[str, str],
                        LibraryFile], current: dict[tuple[str, str], LibraryFile]) -> None:
        """A track whose file vanished but whose audio is still at another path (a duplicate
        copy) is served from that path from now on."""
        by_id = {f.track_id: f"{f.root}/{f.path}" for f in current.values() if f.track_id}
        moved = {known[k].track_id for k in gone if known[k].track_id in by_id}
        if not moved:
            return
        records = await self.store.get_catalog_tracks(sorted(moved))
        stale = [r for r in records.values() if r.location != by_id[r.id]]
        for record in stale:
            record.location, record.present = by_id[record.id], True
        await self.store.put_catalog_tracks(stale)


def _changed(old: LibraryFile | None, new: Found) -> bool:
    if old is None or (old.size, old.mtime_ns) != (new.size, new.mtime_ns):
        return True
    return bool(old.error) and not old.track_id  # a failed file is tried again
