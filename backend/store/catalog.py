"""The catalog of tracks and the local library's file index: types shared by both stores.

The catalog holds tracks of any source that is not the built-in demo catalog (a local folder,
a Subsonic server): one record per track id, the Track as the API shows it (`doc`), where its
audio is (`location`), and its audio analysis, which arrives later and separately so that a
rescan never throws features away and an analysis never rewrites tags. Tracks are queryable by
artist id, album id and genre (both stores keep link rows/items for that).

The file index maps each file under a library folder to its size, mtime and track id, so a
rescan reads only what changed; a file that could not be used keeps its error instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# A track record must fit comfortably in one DynamoDB item (400 KB) and cost little to read:
# the scanner truncates tags long before this; the stores refuse anything bigger.
MAX_DOC_BYTES = 16 * 1024
ANALYSIS_STATES = ("pending", "done", "failed", "none")


@dataclass
class CatalogTrack:
    id: str  # prefixed by its source: "local-…", "subsonic-…"
    source: str  # local | subsonic | …
    doc: dict[str, Any]  # the Track (DESIGN.md) without features, score or reason
    location: str = ""  # where the source finds the audio (local: "<root>/<relative path>")
    present: bool = True  # False once the file vanished: the id and its history stay
    analysis: str = "pending"  # pending | done | failed | none (nothing to analyse)
    features: dict[str, float] = field(default_factory=dict)  # from the audio analysis
    error: str = ""  # why the analysis failed
    updated_at: int = 0  # epoch ms of the last change to doc/location/present

    def track(self) -> dict[str, Any]:
        """The Track the API and the model see: the doc with the analysed features merged in
        (an analysed feature wins over one the source gave)."""
        doc = dict(self.doc)  # the record's own lists stay shared: copy before changing them
        doc["features"] = {**(doc.get("features") or {}), **self.features}
        doc["analysis"] = self.analysis
        return doc

    def links(self) -> set[str]:
        """The keys this track is found under: artist#<id>, album#<id>, genre#<name>."""
        keys = {f"artist#{a['id']}" for a in self.doc.get("artists") or [] if a.get("id")}
        album = self.doc.get("album") or {}
        if album.get("id"):
            keys.add(f"album#{album['id']}")
        keys |= {f"genre#{g.strip().lower()}" for g in self.doc.get("genres") or [] if g.strip()}
        return keys

    def doc_json(self) -> str:
        text = json.dumps(self.doc, separators=(",", ":"), ensure_ascii=False)
        if len(text.encode()) > MAX_DOC_BYTES:
            raise ValueError(f"track {self.id}: {len(text.encode())} bytes of tags exceed "
                             f"{MAX_DOC_BYTES}")
        return text


@dataclass
class LibraryFile:
    root: str  # the library folder's key (its index in ENCORE_LIBRARY_DIRS, "0", "1", …)
    path: str  # relative to that folder, with "/" separators
    size: int
    mtime_ns: int
    track_id: str = ""  # "" when the file is not a track (error set)
    error: str = ""  # why the file is not in the catalog


def source_of(track_id: str) -> str:
    """The source a catalog id belongs to: its prefix up to the first "-"."""
    return track_id.split("-", 1)[0]
