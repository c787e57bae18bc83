"""A track's id from its audio content: moving, renaming or retagging a file keeps it.

The id hashes the audio payload only, never the tags: the bytes after an ID3v2 tag and before
ID3v1/APEv2 tags (MP3), after the metadata blocks (FLAC), the `data`/`SSND`/`mdat` chunk
(WAV, AIFF, MP4), the bodies of the pages after the header packets (Ogg; page headers carry
sequence numbers and CRCs that change when a bigger comment header moves the pages along).
Only three 64 KB samples (start, middle, end) and the payload's length are hashed, so an id
costs three small reads, whatever the file's size.
"""

from __future__ import annotations

import hashlib
import os
import struct
from typing import Any, BinaryIO

SAMPLE = 64 * 1024
_OGG_HEADER = struct.Struct("<4sBBqIIIB")  # capture, version, flags, granule, serial, seq, crc, n


class NotAudio(ValueError):
    """The file has no audio payload we can find (empty, truncated, not a known container)."""


def content_id(path: str | os.PathLike[str], prefix: str = "local-") -> str:
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            raise NotAudio("the file is empty (0 bytes)")
        head = f.read(12)
        digest = hashlib.blake2b(digest_size=10)
        if head.startswith(b"OggS"):
            _ogg(f, size, digest)
        else:
            start, end = _region(f, head, size)
            if end - start < 128:
                raise NotAudio("the file has no audio data after its tags")
            digest.update(f"{end - start}|".encode())
            for offset in _samples(start, end):
                f.seek(offset)
                digest.update(f.read(min(SAMPLE, end - offset)))
    return prefix + digest.hexdigest()


def _samples(start: int, end: int) -> list[int]:
    length = end - start
    if length <= 3 * SAMPLE:
        return list(range(start, end, SAMPLE))
    return [start, start + (length - SAMPLE) // 2, end - SAMPLE]


def _region(f: BinaryIO, head: bytes, size: int) -> tuple[int, int]:
    """[start, end) of the audio payload of a non-Ogg file."""
    if head[:4] == b"fLaC":
        return _flac(f, size), size - _trailing_tags(f, size)
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return _chunk(f, 12, size, b"data", little=True)
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        start, end = _chunk(f, 12, size, b"SSND", little=False)
        return start + 8, end  # SSND starts with offset and block size
    if head[4:8] == b"ftyp":
        return _atom(f, size, b"mdat")
    start = 0
    if head[:3] == b"ID3" and len(head) >= 10:
        f.seek(0)
        header = f.read(10)
        start = 10 + _syncsafe(header[6:10]) + (10 if header[5] & 0x10 else 0)
    return start, size - _trailing_tags(f, size)


def _syncsafe(b: bytes) -> int:
    return (b[0] & 0x7F) << 21 | (b[1] & 0x7F) << 14 | (b[2] & 0x7F) << 7 | (b[3] & 0x7F)


def _trailing_tags(f: BinaryIO, size: int) -> int:
    """Bytes of ID3v1 and APEv2 tags at the end of the file."""
    tail = 0
    if size >= 128:
        f.seek(size - 128)
        if f.read(3) == b"TAG":
            tail = 128
    if size - tail >= 32:
        f.seek(size - tail - 32)
        footer = f.read(32)
        if footer[:8] == b"APETAGEX":
            length, flags = struct.unpack("<II", footer[12:20])
            tail += length + (32 if flags & 0x80000000 else 0)
    return min(tail, size)


def _flac(f: BinaryIO, size: int) -> int:
    pos = 4
    while pos + 4 <= size:
        f.seek(pos)
        header = f.read(4)
        pos += 4 + int.from_bytes(header[1:4], "big")
        if header[0] & 0x80:
            return pos
    raise NotAudio("the FLAC metadata never ends: the file is truncated")


def _chunk(f: BinaryIO, pos: int, size: int, name: bytes, little: bool) -> tuple[int, int]:
    fmt = "<I" if little else ">I"
    while pos + 8 <= size:
        f.seek(pos)
        header = f.read(8)
        length = struct.unpack(fmt, header[4:8])[0]
        if header[:4] == name:
            return pos + 8, min(size, pos + 8 + length)
        pos += 8 + length + (length & 1)
    raise NotAudio(f"no {name.decode()} chunk: the file is truncated or not audio")


def _atom(f: BinaryIO, size: int, name: bytes) -> tuple[int, int]:
    pos = 0
    while pos + 8 <= size:
        f.seek(pos)
        header = f.read(16)
        length = int.from_bytes(header[:4], "big")
        skip = 8
        if length == 1:
            length, skip = int.from_bytes(header[8:16], "big"), 16
        elif length == 0:
            length = size - pos
        if header[4:8] == name:
            return pos + skip, min(size, pos + length)
        if length < 8:
            break
        pos += length
    raise NotAudio("no audio (mdat) in the MP4 file")


def _ogg_pages(f: BinaryIO, pos: int, size: int, budget: int) -> tuple[list[bytes], int]:
    """Bodies of the pages from `pos` until `budget` body bytes are read; the end offset."""
    bodies: list[bytes] = []
    while pos + _OGG_HEADER.size <= size and budget > 0:
        f.seek(pos)
        raw = f.read(_OGG_HEADER.size)
        capture, _, _, granule, _, _, _, count = _OGG_HEADER.unpack(raw)
        if capture != b"OggS":
            break
        lengths = f.read(count)
        body = sum(lengths)
        bodies.append(f.read(body))
        budget -= body
        pos += _OGG_HEADER.size + count + body
    return bodies, pos


def _ogg(f: BinaryIO, size: int, digest: Any) -> None:
    pos = 0
    while True:  # skip the header pages: their granule position is 0 (or -1 mid-packet)
        if pos + _OGG_HEADER.size > size:
            raise NotAudio("the Ogg stream has no audio pages")
        f.seek(pos)
        capture, _, _, granule, _, _, _, count = _OGG_HEADER.unpack(f.read(_OGG_HEADER.size))
        if capture != b"OggS":
            raise NotAudio("the Ogg stream is corrupt")
        if granule not in (0, -1):
            break
        pos += _OGG_HEADER.size + count + sum(f.read(count))
    digest.update(f"ogg|{size - pos}|".encode())
    head, _ = _ogg_pages(f, pos, size, SAMPLE)
    for body in head:
        digest.update(body)
    f.seek(max(pos, size - SAMPLE - 65_536))
    window = f.read()
    found = window.find(b"OggS")
    if found >= 0:
        tail, _ = _ogg_pages(f, size - len(window) + found, size, 2 * SAMPLE)
        for body in tail:
            digest.update(body)
