"""Which files are music, what a browser can play, and what must be transcoded first.

Browsers (Chromium, Firefox, Safari) play MP3, FLAC, Ogg Vorbis, Opus, AAC in MP4 and PCM WAV.
Other codecs that mutagen can read (ALAC in .m4a, AIFF, WMA, WavPack, Monkey's Audio) are
transcoded with ffmpeg when it is installed (`transcode.py`), and skipped with a reason when not.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

# extension -> the kind mutagen should find there
EXTENSIONS: dict[str, str] = {
    ".mp3": "mp3", ".flac": "flac", ".ogg": "ogg", ".oga": "ogg", ".opus": "opus",
    ".m4a": "mp4", ".mp4": "mp4", ".aac": "mp4", ".m4b": "mp4", ".wav": "wav",
    ".aif": "aiff", ".aiff": "aiff", ".wma": "asf", ".wv": "wavpack", ".ape": "ape",
}

MIME_TYPES: dict[str, str] = {
    "mp3": "audio/mpeg", "flac": "audio/flac", "vorbis": "audio/ogg",
    "opus": "audio/ogg; codecs=opus", "aac": "audio/mp4", "wav": "audio/wav",
}
TRANSCODED_MIME = "audio/ogg; codecs=opus"


@dataclass(frozen=True)
class Codec:
    name: str  # mp3 | flac | vorbis | opus | aac | wav | alac | aiff | wma | wavpack | ape | …
    playable: bool  # a browser plays the file as it is

    @property
    def mime(self) -> str:
        return MIME_TYPES.get(self.name, TRANSCODED_MIME)


def is_music(name: str) -> bool:
    dot = name.rfind(".")
    return dot > 0 and name[dot:].lower() in EXTENSIONS


def ffmpeg() -> str | None:
    """The ffmpeg executable, when installed."""
    return shutil.which("ffmpeg")
