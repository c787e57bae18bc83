"""Walk library folders safely: every music file once, nothing outside the folders.

Symbolic links are followed only when they resolve inside one of the library folders; a link
pointing elsewhere is reported and never read (so never served), a link back to a folder
being walked (a loop) is reported once and not followed, a broken link is reported.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .formats import is_music


@dataclass(frozen=True)
class Found:
    root: str  # the folder's key ("0", "1", … in ENCORE_LIBRARY_DIRS order)
    path: str  # relative, "/"-separated
    size: int = 0
    mtime_ns: int = 0
    error: str = ""  # set when the entry cannot be used


def inside(path: str, roots: list[str]) -> bool:
    """Whether a resolved path lies in one of the resolved library folders."""
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def walk(folders: list[Path]) -> Iterator[Found]:
    roots = [os.path.realpath(f) for f in folders]
    for key, root in enumerate(roots):
        if not os.path.isdir(root):
            yield Found(str(key), ".", error=f"the library folder {folders[key]} does not exist")
            continue
        yield from _walk_root(str(key), root, roots)


def _walk_root(key: str, root: str, roots: list[str]) -> Iterator[Found]:
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[str, str, tuple[str, ...]]] = [(root, "", (root,))]  # dir, rel, ancestors
    while stack:
        folder, rel, ancestors = stack.pop()
        info = os.stat(folder)
        if (info.st_dev, info.st_ino) in seen:
            continue  # reached twice through links: already walked
        seen.add((info.st_dev, info.st_ino))
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as error:
            yield Found(key, rel or ".", error=f"cannot read the folder: {error.strerror}")
            continue
        for entry in entries:
            name = entry.name
            path = f"{rel}/{name}" if rel else name
            try:
                is_link = entry.is_symlink()
                real = os.path.realpath(entry.path) if is_link else entry.path
                if is_link and not os.path.exists(real):
                    if is_music(name):
                        yield Found(key, path, error="a broken symbolic link")
                    continue
                if is_link and not inside(real, roots):
                    yield Found(key, path, error="a symbolic link to outside the library "
                                                 "folders: never read nor served")
                    continue
                st = os.stat(real)
            except OSError as error:
                yield Found(key, path, error=f"cannot read it: {error.strerror}")
                continue
            if stat.S_ISDIR(st.st_mode):
                if real in ancestors:
                    yield Found(key, path, error="a symbolic link loop (it points to a folder "
                                                 "that contains it): not followed")
                    continue
                stack.append((real, path, (*ancestors, real)))
            elif is_music(name):
                if not stat.S_ISREG(st.st_mode):
                    yield Found(key, path, error="not a regular file")
                else:
                    yield Found(key, path, st.st_size, st.st_mtime_ns)
