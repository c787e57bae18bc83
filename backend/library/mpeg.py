"""The exact length of an MP3 without a Xing/Info/VBRI header, by walking its frames.

Without such a header mutagen (like a browser) estimates the length from the first frame's
bitrate, which for a VBR file can be far off (a 60 s song listed as 10 s, so a skip at 30 s
looked like a finish). Only such files are walked: a frame header is 4 bytes, read with a
seek per frame (a 5-minute song is about 11,500 frames).
"""

from __future__ import annotations

from pathlib import Path

# bitrate (kb/s) by index: MPEG-1 layers I, II, III; MPEG-2/2.5 layer I; layers II and III
_BITRATES = {
    (1, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (1, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (1, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (2, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (2, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
MAX_FRAMES = 2_000_000  # about 14 hours of audio: a file longer than that keeps the estimate


def _frame(header: bytes) -> tuple[int, int, int] | None:
    """(frame length in bytes, samples, sample rate) of a frame header, or None."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version, layer_bits = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    bitrate_index, rate_index = header[2] >> 4, (header[2] >> 2) & 3
    if version == 1 or layer_bits == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    layer = 4 - layer_bits
    mpeg1 = version == 3
    table = _BITRATES[(1, layer)] if mpeg1 else _BITRATES[(2, 1 if layer == 1 else 2)]
    bitrate, rate = table[bitrate_index] * 1000, _RATES[version][rate_index]
    padding = (header[2] >> 1) & 1
    if layer == 1:
        return (12 * bitrate // rate + padding) * 4, 384, rate
    samples = 1152 if layer == 2 or mpeg1 else 576
    return samples // 8 * bitrate // rate + padding, samples, rate


def exact_length(path: str | Path, first_frame: int) -> float | None:
    """Seconds of audio from the frame at `first_frame` to the last whole frame; None when
    the frames cannot be followed (the caller keeps its estimate)."""
    samples, rate, frames = 0, 0, 0
    with open(path, "rb") as f:
        at = first_frame
        while frames < MAX_FRAMES:
            f.seek(at)
            found = _frame(f.read(4))
            if found is None:
                break
            length, count, rate = found
            if length < 4:
                break
            samples += count
            frames += 1
            at += length
    if frames < 2 or not rate:
        return None
    return samples / rate
