"""Cover art: embedded pictures or a cover file in the album's folder, resized once with
Pillow and cached under the data dir by the hash of the original image, so an album's
tracks share one file and the URL can be cached forever (`immutable`)."""

from __future__ import annotations

import hashlib
import io
import os
import re
import warnings
from pathlib import Path

from PIL import Image

SIZE = 300
MAX_PIXELS = 40_000_000  # a decompression bomb guard: 40 MP is more than any real cover
MAX_FILE_BYTES = 16 * 1024 * 1024
FOLDER_NAMES = ("cover", "folder", "front", "album", "albumart", "albumartsmall")
_KEY = re.compile(r"^[0-9a-f]{32}$")
_DISC_FOLDER = re.compile(r"^(?:cd|disc|disk)\s*[-_.]?\s*\d+(?:\D|$)", re.IGNORECASE)


class CoverError(ValueError):
    pass


def valid_key(key: str) -> bool:
    return bool(_KEY.match(key))


class CoverCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.jpg"

    def add(self, data: bytes) -> str:
        """The key of the resized cover of an image (cached); CoverError when it is not one."""
        key = hashlib.blake2b(data, digest_size=16).hexdigest()
        if self.path(key).exists():
            return key
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                source = Image.open(io.BytesIO(data))
                if source.width * source.height > MAX_PIXELS:
                    raise CoverError(f"the picture is {source.width}×{source.height} pixels: "
                                     "too large to be a cover")
                source.draft("RGB", (SIZE * 2, SIZE * 2))  # JPEG: decode at a lower scale
                image = source.convert("RGB")
                image.thumbnail((SIZE, SIZE), Image.Resampling.LANCZOS)
        except CoverError:
            raise
        except (OSError, ValueError, Image.DecompressionBombError,
                Image.DecompressionBombWarning, SyntaxError) as error:
            raise CoverError(f"the picture cannot be read: {error}") from error
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.path(key).with_suffix(f".{os.getpid()}.tmp")
        image.save(temporary, "JPEG", quality=85, optimize=True)
        os.replace(temporary, self.path(key))
        return key

    def add_file(self, path: Path) -> str:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CoverError(f"{path.name} is over {MAX_FILE_BYTES // 2**20} MB")
        return self.add(path.read_bytes())


def folder_cover(folder: Path, allowed: list[str]) -> Path | None:
    """A cover image beside the music (cover.jpg, folder.png, …) inside the library; for a
    disc's folder of a multi-disc album (Album/CD1, Album/Disc 2), the album folder's."""
    found = _cover_in(folder, allowed)
    if found is None and _DISC_FOLDER.match(folder.name):
        found = _cover_in(folder.parent, allowed)
    return found


def _cover_in(folder: Path, allowed: list[str]) -> Path | None:
    from .walk import inside

    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    by_stem: dict[str, str] = {}
    for name in names:
        stem, _, ext = name.lower().rpartition(".")
        if ext in ("jpg", "jpeg", "png", "webp") and stem in FOLDER_NAMES:
            by_stem.setdefault(stem, name)
    for stem in FOLDER_NAMES:
        if stem in by_stem:
            path = folder / by_stem[stem]
            if inside(os.path.realpath(path), allowed):
                return path
    return None
