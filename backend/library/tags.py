"""Tags of a music file through mutagen, the same fields whatever the format.

mutagen finds the format from the content, not the extension, so a FLAC named `.mp3` is read
as FLAC. Every text is cleaned (control characters out, undecodable bytes replaced) and capped,
so no tag can make a catalog record too big; multi-valued fields (artists, genres) stay lists.
"""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import mutagen
from mutagen.flac import Picture
from mutagen.mp3 import BitrateMode

from .formats import Codec
from .mpeg import exact_length

MAX_TEXT = 300
MAX_ITEMS = 16
MAX_PICTURE_BYTES = 16 * 1024 * 1024  # larger embedded pictures are skipped, with a reason
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPLIT = re.compile(r"\s*(?:;|\x00|/(?=\s))\s*")  # "A; B", "A / B" (not "AC/DC")


class TagError(ValueError):
    """The file cannot be read as music: the message says why, for the failures list."""


@dataclass
class Tags:
    title: str
    artists: list[str]
    album_artist: str
    album: str
    track_number: int | None
    disc_number: int | None
    year: int | None
    genres: list[str]
    duration_ms: int
    codec: Codec
    musicbrainz: dict[str, str] = field(default_factory=dict)
    replaygain: dict[str, float] = field(default_factory=dict)
    picture: bytes | None = None  # the embedded cover (front cover first), when small enough
    picture_error: str = ""  # why an embedded picture was not used


def clean(value: Any, limit: int = MAX_TEXT) -> str:
    text = str(value)
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates and friends
    return _CONTROL.sub(" ", text).strip()[:limit]


def _values(raw: Any) -> list[str]:
    """Tag values as strings: lists, ID3 frames, MP4 freeform bytes, ASF values."""
    if raw is None:
        return []
    if hasattr(raw, "text"):  # an ID3 frame
        raw = raw.text
    if not isinstance(raw, list | tuple):
        raw = [raw]
    out = []
    for v in raw:
        if isinstance(v, bytes):  # MP4 freeform atoms hold UTF-8 bytes
            v = v.decode("utf-8", "replace")
        elif hasattr(v, "value"):  # ASF attributes
            v = v.value
        elif isinstance(v, tuple):  # MP4 trkn/disk: (number, total)
            v = "/".join(str(x) for x in v)
        text = clean(v)
        if text:
            out.append(text)
    return out


def _multi(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        for part in _SPLIT.split(v):
            if part and part not in out:
                out.append(part[:200])
    return out[:MAX_ITEMS]


def _number(values: list[str]) -> int | None:
    match = re.match(r"\s*(\d{1,4})", values[0]) if values else None
    return int(match.group(1)) if match else None


def _gain(values: list[str]) -> float | None:
    match = re.match(r"\s*([-+]?\d+(?:\.\d+)?)", values[0]) if values else None
    return float(match.group(1)) if match else None


# canonical name -> the keys it has in (vorbis comments, ID3 frames, MP4 atoms, ASF, APEv2)
_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title", "TIT2", "\xa9nam", "Title"),
    "artist": ("artist", "artists", "TPE1", "\xa9ART", "Author", "WM/ARTISTS"),
    "albumartist": ("albumartist", "album artist", "TPE2", "aART", "WM/AlbumArtist"),
    "album": ("album", "TALB", "\xa9alb", "WM/AlbumTitle"),
    "tracknumber": ("tracknumber", "track", "TRCK", "trkn", "WM/TrackNumber"),
    "discnumber": ("discnumber", "disc", "TPOS", "disk", "WM/PartOfSet"),
    "date": ("date", "year", "originaldate", "TDRC", "TYER", "TDOR", "\xa9day", "WM/Year"),
    "genre": ("genre", "TCON", "\xa9gen", "WM/Genre"),
    "musicbrainz_trackid": ("musicbrainz_trackid", "UFID:http://musicbrainz.org",
                            "TXXX:MusicBrainz Track Id", "MusicBrainz/Track Id"),
    "musicbrainz_albumid": ("musicbrainz_albumid", "TXXX:MusicBrainz Album Id",
                            "MusicBrainz/Album Id"),
    "musicbrainz_artistid": ("musicbrainz_artistid", "TXXX:MusicBrainz Artist Id",
                             "MusicBrainz/Artist Id"),
    "musicbrainz_albumartistid": ("musicbrainz_albumartistid",
                                  "TXXX:MusicBrainz Album Artist Id",
                                  "MusicBrainz/Album Artist Id"),
    "musicbrainz_releasetrackid": ("musicbrainz_releasetrackid",
                                   "TXXX:MusicBrainz Release Track Id",
                                   "MusicBrainz/Release Track Id"),
    "replaygain_track_gain": ("replaygain_track_gain", "TXXX:REPLAYGAIN_TRACK_GAIN"),
    "replaygain_track_peak": ("replaygain_track_peak", "TXXX:REPLAYGAIN_TRACK_PEAK"),
    "replaygain_album_gain": ("replaygain_album_gain", "TXXX:REPLAYGAIN_ALBUM_GAIN"),
    "replaygain_album_peak": ("replaygain_album_peak", "TXXX:REPLAYGAIN_ALBUM_PEAK"),
}
_MP4_FREEFORM = "----:com.apple.iTunes:"


def _lookup(tags: Any) -> dict[str, list[str]]:
    """The file's tags as canonical name -> values, whatever the tag format."""
    if tags is None:
        return {}
    folded: dict[str, Any] = {}
    for key in list(tags.keys()):
        try:
            value = tags[key]
        except (KeyError, ValueError):
            continue
        name = str(key)
        if name.startswith(_MP4_FREEFORM):
            name = name[len(_MP4_FREEFORM):]
        folded.setdefault(name.lower(), value)
    found: dict[str, list[str]] = {}
    for canonical, keys in _KEYS.items():
        for key in keys:
            raw = folded.get(key.lower())
            if raw is None and key.startswith("TXXX:"):  # beets/Picard/foobar spellings differ
                raw = folded.get("txxx:" + key[5:].lower()) or folded.get(key[5:].lower())
            if raw is not None:
                if canonical == "genre" and hasattr(raw, "genres"):
                    raw = raw.genres  # ID3 TCON: "(17)" means Rock
                if canonical == "musicbrainz_trackid" and hasattr(raw, "data"):
                    raw = raw.data  # ID3 UFID holds bytes
                values = _values(raw)
                if values:
                    found[canonical] = values
                    break
    return found


# A WAV file's RIFF LIST/INFO chunk (written by ffmpeg, Windows, most rippers and editors),
# which mutagen does not read: the tag names it holds, as the canonical names above.
_RIFF_INFO = {b"INAM": "title", b"IART": "artist", b"IPRD": "album", b"ICRD": "date",
              b"IGNR": "genre", b"ITRK": "tracknumber", b"IPRT": "tracknumber"}
# An AIFF file's own text chunks (written by ffmpeg, Logic, Pro Tools), which mutagen does not
# read either (it reads an AIFF's ID3 chunk).
_AIFF_TEXT = {b"NAME": "title", b"AUTH": "artist"}
_RIFF_MAX_CHUNKS = 64
_RIFF_MAX_INFO = 1 << 20


def _text(raw: bytes) -> str:
    """A chunk's text, up to its first NUL (UTF-8, else Windows-1252)."""
    raw = raw.split(b"\0", 1)[0]
    try:
        return clean(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return clean(raw.decode("cp1252", "replace"))


def _riff_info(path: str | Path) -> dict[str, list[str]]:
    """The tags in a WAV file's LIST/INFO chunk, or an AIFF file's NAME and AUTH chunks."""
    found: dict[str, list[str]] = {}
    with open(path, "rb") as f:
        head = f.read(12)
        aiff = head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC")
        if not aiff and (head[:4] != b"RIFF" or head[8:12] != b"WAVE"):
            return found
        order: Literal["big", "little"] = "big" if aiff else "little"
        for _ in range(_RIFF_MAX_CHUNKS):
            header = f.read(8)
            if len(header) < 8:
                break
            size = int.from_bytes(header[4:], order)
            name = _AIFF_TEXT.get(header[:4]) if aiff else None
            if name and size <= _RIFF_MAX_INFO:
                if text := _text(f.read(size + (size & 1))):
                    found.setdefault(name, [text])
                continue
            if aiff or header[:4] != b"LIST" or not 4 <= size <= _RIFF_MAX_INFO:
                f.seek(size + (size & 1), os.SEEK_CUR)
                continue
            body = f.read(size + (size & 1))
            at = 4 if body[:4] == b"INFO" else len(body)
            while at + 8 <= len(body):
                length = int.from_bytes(body[at + 4:at + 8], "little")
                name = _RIFF_INFO.get(body[at:at + 4])
                text = _text(body[at + 8:at + 8 + length])
                at += 8 + length + (length & 1)
                if name and text:
                    found.setdefault(name, [text])
    return found


def _codec(audio: Any) -> Codec:
    kind = type(audio).__name__
    if kind in ("MP3", "EasyMP3"):
        return Codec("mp3", True)
    if kind == "FLAC":
        return Codec("flac", True)
    if kind == "OggVorbis":
        return Codec("vorbis", True)
    if kind == "OggOpus":
        return Codec("opus", True)
    if kind in ("MP4", "EasyMP4"):
        codec = str(getattr(audio.info, "codec", ""))
        return Codec("aac", True) if codec.startswith("mp4a") else Codec(codec or "mp4", False)
    if kind == "WAVE":
        return Codec("wav", True)
    return Codec({"AIFF": "aiff", "ASF": "wma", "WavPack": "wavpack",
                  "MonkeysAudio": "ape", "OggFLAC": "oggflac"}.get(kind, kind.lower()), False)


def _pictures(audio: Any) -> list[tuple[int, int, Any]]:
    """(picture type, size in bytes, a way to get the bytes) of each embedded picture."""
    found: list[tuple[int, int, Any]] = []
    for pic in getattr(audio, "pictures", None) or []:  # FLAC
        found.append((pic.type, len(pic.data), pic.data))
    tags = audio.tags
    if tags is None:
        return found
    if hasattr(tags, "getall"):  # ID3
        for frame in tags.getall("APIC"):
            found.append((frame.type, len(frame.data), frame.data))
    for key in ("metadata_block_picture",):  # Ogg: base64 FLAC picture blocks
        for raw in (tags.get(key) or []) if hasattr(tags, "get") else []:
            try:
                pic = Picture(base64.b64decode(raw))
                found.append((pic.type, len(pic.data), pic.data))
            except (ValueError, TypeError, mutagen.MutagenError):
                continue
    covr = tags.get("covr") if hasattr(tags, "get") and not hasattr(tags, "getall") else None
    for cover in covr or []:  # MP4
        found.append((3, len(cover), bytes(cover)))
    for value in (tags.get("WM/Picture") or []) if type(audio).__name__ == "ASF" else []:
        data = bytes(value.value)
        found.append((3, len(data), data))
    return found


def _kinds() -> list[Any]:
    from mutagen.aiff import AIFF
    from mutagen.asf import ASF
    from mutagen.flac import FLAC
    from mutagen.monkeysaudio import MonkeysAudio
    from mutagen.mp3 import MP3
    from mutagen.mp4 import MP4
    from mutagen.oggflac import OggFLAC
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis
    from mutagen.wave import WAVE
    from mutagen.wavpack import WavPack

    return [MP3, FLAC, OggVorbis, OggOpus, OggFLAC, MP4, WAVE, AIFF, ASF, WavPack, MonkeysAudio]


def _open(path: str | Path) -> Any:
    """mutagen's guess (which trusts the extension first), else the best guess from the
    content alone: a FLAC file named .mp3 is still a FLAC file."""
    try:
        return mutagen.File(path)
    except mutagen.MutagenError as first:
        with open(path, "rb") as f:
            header = f.read(128)
            ranked = sorted(((Kind.score("", f, header), Kind.__name__, Kind)
                             for Kind in _kinds()), key=lambda r: (-r[0], r[1]))
        for score, _, Kind in ranked:
            if score <= 0:
                break
            try:
                return Kind(path)
            except mutagen.MutagenError:
                continue
        raise first


def read_tags(path: str | Path) -> Tags:
    """Tags, codec and duration of the music file at `path`; TagError says what is wrong."""
    with open(path, "rb"):  # an unreadable file is an OSError, not a format problem
        if os.path.getsize(path) == 0:
            raise TagError("the file is empty (0 bytes)")
    try:
        audio = _open(path)
    except mutagen.MutagenError as error:
        raise TagError(f"not a readable music file: {clean(error, 200)}") from error
    except (ValueError, EOFError, IndexError, KeyError, TypeError, AssertionError) as error:
        raise TagError(f"the file is corrupt: {type(error).__name__}: {clean(error, 200)}") \
            from error
    if audio is None:
        raise TagError("not a music file that Encore can read (unknown format)")
    length = float(getattr(audio.info, "length", 0) or 0)
    if getattr(audio.info, "bitrate_mode", None) is BitrateMode.UNKNOWN:  # MP3, no Xing header
        length = exact_length(path, audio.info.frame_offset) or length
    if not length > 0:
        raise TagError("the file has no audio (its length is 0)")
    found = _lookup(audio.tags)
    if type(audio).__name__ in ("WAVE", "AIFF"):  # an ID3 chunk first, then the file's own
        found = _riff_info(path) | found
    name = Path(path)
    year = _number(found.get("date", []))
    pictures = sorted(_pictures(audio), key=lambda p: (p[0] != 3, p[0]))  # front cover first
    picture, picture_error = None, ""
    if pictures:
        _, size, data = pictures[0]
        if size > MAX_PICTURE_BYTES:
            picture_error = (f"the embedded picture is {size / 1e6:.1f} MB (over "
                             f"{MAX_PICTURE_BYTES // 2**20} MB): skipped, the track plays "
                             "without it")
        else:
            picture = bytes(data)
    gains = {k.removeprefix("replaygain_"): g for k in _KEYS if k.startswith("replaygain_")
             if (g := _gain(found.get(k, []))) is not None}
    return Tags(
        title=(found.get("title") or [clean(name.stem)])[0],
        artists=_multi(found.get("artist", [])),
        album_artist=(found.get("albumartist") or [""])[0][:200],
        album=(found.get("album") or [""])[0],
        track_number=_number(found.get("tracknumber", [])),
        disc_number=_number(found.get("discnumber", [])),
        year=year if year and 1000 <= year <= 2999 else None,
        genres=_multi(found.get("genre", [])),
        duration_ms=round(length * 1000),
        codec=_codec(audio),
        musicbrainz={k.removeprefix("musicbrainz_"): v[0][:64] for k, v in found.items()
                     if k.startswith("musicbrainz_")},
        replaygain=gains,
        picture=picture,
        picture_error=picture_error,
    )
