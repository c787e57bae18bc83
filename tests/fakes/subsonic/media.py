"""The emulator's media: a WAV per song (a steady tone, as long as the song says it is) and a
PNG per album cover, both made on the fly and small (8 kHz, 8-bit mono: 8 kB a second)."""

from __future__ import annotations

import hashlib
import math
import struct
import zlib
from functools import lru_cache

RATE = 8000
_HEADER = 44


def audio_size(seconds: int) -> int:
    return _HEADER + RATE * seconds


@lru_cache(maxsize=8)
def song_wav(tone_hz: int, seconds: int) -> bytes:
    """A whole number of cycles per second, so one second repeats seamlessly."""
    second = bytes(int(128 + 60 * math.sin(2 * math.pi * tone_hz * n / RATE)) for n in range(RATE))
    data = second * seconds
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE" + b"fmt " + struct.pack(
        "<IHHIIHH", 16, 1, 1, RATE, RATE, 1, 8) + b"data" + struct.pack("<I", len(data))
    return header + data


@lru_cache(maxsize=64)
def cover_png(cover_id: str, size: int) -> bytes:
    """A square in the album's own colour, with a lighter diagonal band."""
    digest = hashlib.sha256(cover_id.encode()).digest()
    base, light = digest[:3], bytes(min(255, c + 90) for c in digest[:3])
    rows = b"".join(
        b"\x00" + b"".join(light if abs(x - y) < size // 6 else base for x in range(size))
        for y in range(size))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))
