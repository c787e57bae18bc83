"""Audio a browser cannot play (ALAC, AIFF, WMA, …) made playable with ffmpeg, at first request.

The result (Opus in Ogg, 128 kb/s) is cached under the data dir by track id, so a track is
transcoded once and then served with Range like any file; concurrent requests for the same
track wait for one transcode.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from .formats import ffmpeg

TIMEOUT_S = 300.0


class TranscodeError(RuntimeError):
    pass


class Transcoder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._locks: dict[str, asyncio.Lock] = {}

    async def playable(self, source: Path, track_id: str) -> Path:
        target = self.folder / f"{track_id}.opus"
        if target.exists():
            return target
        lock = self._locks.setdefault(track_id, asyncio.Lock())
        async with lock:
            if not target.exists():
                await self._run(source, target)
        self._locks.pop(track_id, None)
        return target

    async def _run(self, source: Path, target: Path) -> None:
        binary = ffmpeg()
        if binary is None:
            raise TranscodeError("ffmpeg is not installed")
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.part")
        process = await asyncio.create_subprocess_exec(
            binary, "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i", str(source),
            "-vn", "-map_metadata", "-1", "-c:a", "libopus", "-b:a", "128k", "-f", "ogg",
            str(partial), stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        try:
            async with asyncio.timeout(TIMEOUT_S):
                _, err = await process.communicate()
        except TimeoutError:
            process.kill()
            await process.wait()
            partial.unlink(missing_ok=True)
            raise TranscodeError(f"ffmpeg took over {TIMEOUT_S:.0f} s") from None
        if process.returncode != 0:
            partial.unlink(missing_ok=True)
            raise TranscodeError(f"ffmpeg failed: {err.decode(errors='replace')[-300:]}")
        os.replace(partial, target)
