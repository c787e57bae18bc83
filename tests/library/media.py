"""Real music files for the tests: signals made with numpy, encoded by ffmpeg, tagged by mutagen.

`click_track(bpm)` and `chord_progression(key, mode)` give signals whose tempo and key are known,
so the analysis can be checked against the truth.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

RATE = 22_050
FORMATS = {  # name -> (extension, ffmpeg codec arguments)
    "mp3": (".mp3", ["-c:a", "libmp3lame", "-b:a", "96k"]),
    "flac": (".flac", ["-c:a", "flac"]),
    "vorbis": (".ogg", ["-c:a", "libvorbis", "-q:a", "2"]),
    "opus": (".opus", ["-c:a", "libopus", "-b:a", "48k"]),
    "aac": (".m4a", ["-c:a", "aac", "-b:a", "96k"]),
    "alac": (".m4a", ["-c:a", "alac"]),
    "wav": (".wav", ["-c:a", "pcm_s16le"]),
    "aiff": (".aiff", ["-c:a", "pcm_s16be"]),
}
_NOTES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def need_ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        pytest.fail("ffmpeg is missing: `make system` installs it", pytrace=False)
    return found


def tone(seconds: float, hz: float = 440.0) -> np.ndarray[Any, Any]:
    t = np.arange(int(seconds * RATE)) / RATE
    return 0.3 * np.sin(2 * np.pi * hz * t)


def click_track(bpm: float, seconds: float = 30.0) -> np.ndarray[Any, Any]:
    """A short burst of noise and a 1 kHz blip on every beat (a metronome)."""
    out = np.zeros(int(seconds * RATE))
    rng = np.random.default_rng(int(bpm))
    n = int(0.03 * RATE)
    envelope = np.exp(-np.arange(n) / (0.005 * RATE))
    click = (0.6 * rng.standard_normal(n) + np.sin(2 * np.pi * 1000 * np.arange(n) / RATE))
    click *= envelope * 0.5
    beat = 60.0 / bpm
    at = 0.0
    while at + 0.05 < seconds:
        start = int(at * RATE)
        out[start:start + n] += click[: len(out) - start]
        at += beat
    return out


def _midi_hz(note: int) -> float:
    return float(440.0 * 2 ** ((note - 69) / 12))


def chord_progression(key: str, mode: str, seconds: float = 24.0) -> np.ndarray[Any, Any]:
    """I-IV-V-I (major) or i-iv-V-i (minor) with a tonic bass, in harmonic tones: a clear key."""
    tonic = 48 + _NOTES[key[0]] + (1 if key.endswith("#") else 0)
    third = 4 if mode == "major" else 3
    chords = [(0, third, 7), (5, 5 + third, 12), (7, 11, 14), (0, third, 7)]
    if mode == "minor":
        chords[1] = (5, 8, 12)  # iv is minor too
    per = seconds / 8
    out = []
    t = np.arange(int(per * RATE)) / RATE
    envelope = np.minimum(1.0, t / 0.02) * np.exp(-t * 0.8)
    for chord in chords + [chords[0]] * 4:  # the tonic chord held longest
        wave = np.zeros_like(t)
        for step in (*chord, -12):  # and the tonic an octave down
            hz = _midi_hz(tonic + 12 + step) if step >= 0 else _midi_hz(tonic)
            for k in (1, 2, 3):
                wave += np.sin(2 * np.pi * hz * k * t) / k
        out.append(wave * envelope)
    signal = np.concatenate(out)
    return 0.5 * signal / np.max(np.abs(signal))


def encode(signal: np.ndarray[Any, Any], path: Path, fmt: str) -> Path:
    """Write `signal` (mono, RATE Hz) to `path` in `fmt` with ffmpeg (no tags)."""
    ffmpeg = need_ffmpeg()
    path.parent.mkdir(parents=True, exist_ok=True)
    wav = io.BytesIO()
    sf.write(wav, signal.astype(np.float32), RATE, format="WAV", subtype="PCM_16")
    args = FORMATS[fmt][1]
    rate = ["-ar", "48000"] if fmt == "opus" else []
    container = ["-f", "mp4"] if path.suffix in (".m4a", ".mp3x") else []
    subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-f", "wav", "-i", "-",
                    "-map_metadata", "-1", *args, *rate, *container, str(path)],
                   input=wav.getvalue(), check=True)
    return path


def tag(path: Path, fmt: str, **tags: Any) -> None:
    """Write tags with mutagen; lists become multi-valued fields."""
    from mutagen.easymp4 import EasyMP4

    values = {k: v if isinstance(v, list) else [str(v)] for k, v in tags.items()
              if not k.startswith("replaygain")}
    gains = {k: str(v) for k, v in tags.items() if k.startswith("replaygain")}
    if fmt in ("mp3", "wav", "aiff"):
        import mutagen

        audio: Any = mutagen.File(path)
        if audio.tags is None:
            audio.add_tags()
        for frame in _id3_frames(values, gains):
            audio.tags.add(frame)
        audio.save()
    elif fmt in ("aac", "alac"):
        mp4 = EasyMP4(path)
        for k, v in values.items():
            mp4[k] = v
        mp4.save()
    else:
        import mutagen

        audio = mutagen.File(path)
        for k, v in {**values, **{k: [g] for k, g in gains.items()}}.items():
            audio[k] = v
        audio.save()


def _id3_frames(values: dict[str, list[str]], gains: dict[str, str]) -> list[Any]:
    from mutagen import id3

    simple = {"title": id3.TIT2, "artist": id3.TPE1, "albumartist": id3.TPE2,
              "album": id3.TALB, "tracknumber": id3.TRCK, "discnumber": id3.TPOS,
              "date": id3.TDRC, "genre": id3.TCON}
    frames: list[Any] = [simple[k](encoding=3, text=v) for k, v in values.items() if k in simple]
    for k, v in values.items():
        if k == "musicbrainz_trackid":
            frames.append(id3.UFID(owner="http://musicbrainz.org", data=v[0].encode()))
        elif k.startswith("musicbrainz_"):
            desc = "MusicBrainz " + k[12:].replace("id", " Id").title().replace(" id", " Id")
            frames.append(id3.TXXX(encoding=3, desc=desc, text=v))
    frames += [id3.TXXX(encoding=3, desc=k.upper(), text=[v]) for k, v in gains.items()]
    return frames


def make_track(folder: Path, name: str, fmt: str = "mp3", seconds: float = 3.0,
               signal: np.ndarray[Any, Any] | None = None, **tags: Any) -> Path:
    path = folder / (name + FORMATS[fmt][0])
    encode(tone(seconds) if signal is None else signal, path, fmt)
    if tags:
        tag(path, fmt, **tags)
    return path


def jpeg(width: int = 600, height: int = 600, color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG", quality=90)
    return out.getvalue()


def embed_picture(path: Path, fmt: str, data: bytes, mime: str = "image/jpeg") -> None:
    import base64

    import mutagen
    from mutagen.flac import Picture
    from mutagen.id3 import APIC
    from mutagen.mp4 import MP4, MP4Cover

    if fmt in ("mp3", "wav", "aiff"):
        audio: Any = mutagen.File(path)
        if audio.tags is None:
            audio.add_tags()
        audio.tags.add(APIC(encoding=3, mime=mime, type=3, desc="Cover", data=data))
        audio.save()
    elif fmt == "flac":
        audio = mutagen.File(path)
        pic = Picture()
        pic.type, pic.mime, pic.data = 3, mime, data
        audio.add_picture(pic)
        audio.save()
    elif fmt in ("vorbis", "opus"):
        audio = mutagen.File(path)
        pic = Picture()
        pic.type, pic.mime, pic.data = 3, mime, data
        audio["metadata_block_picture"] = [base64.b64encode(pic.write()).decode()]
        audio.save()
    else:
        mp4 = MP4(path)
        mp4["covr"] = [MP4Cover(data, imageformat=MP4Cover.FORMAT_JPEG)]
        mp4.save()
