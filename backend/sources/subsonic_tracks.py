"""Subsonic answers in Encore's shapes: a song (`Child`) as a Track, a `search3` artist or album
as a search hit, cover art through Encore, and the format a browser can play a song in."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..subsonic.ids import item_id, track_id

# What browsers play as they are; anything else is transcoded to MP3 by the server.
PLAYABLE = frozenset({"mp3", "ogg", "oga", "opus", "flac", "wav", "m4a", "mp4", "aac", "webm"})
COVER_SIZES = (64, 300, 600)


def to_track(song: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The Encore Track for a Subsonic `Child`; None for what cannot be a track."""
    song_id = str(song.get("id") or "")
    tid = track_id(key, song_id) if song_id else None
    if tid is None or song.get("isDir") or song.get("isVideo"):
        return None
    artists = [{"id": item_id(key, "artist", str(a.get("id") or a.get("name") or "")),
                "name": str(a.get("name") or "")} for a in song.get("artists") or []
               if isinstance(a, dict)]
    if not artists and (song.get("artist") or song.get("artistId")):
        artists = [{"id": item_id(key, "artist", str(song.get("artistId") or song.get("artist"))),
                    "name": str(song.get("artist") or "")}]
    genres = [str(g.get("name")) for g in song.get("genres") or [] if isinstance(g, dict)
              and g.get("name")] or ([str(song["genre"])] if song.get("genre") else [])
    album: dict[str, Any] = {"name": str(song.get("album") or ""), "images": []}
    if song.get("albumId"):
        album["id"] = item_id(key, "album", str(song["albumId"]))
    album["images"] = _covers(song, key)
    track: dict[str, Any] = {
        "id": tid, "uri": f"subsonic:{key}:{song_id}", "source": "subsonic",
        "name": str(song.get("title") or ""), "artists": artists, "album": album,
        "genres": [g.lower() for g in genres], "explicit": song.get("explicitStatus") == "explicit",
        "duration_ms": int(song.get("duration") or 0) * 1000, "features": _features(song),
        "audio_url": f"/api/tracks/{tid}/audio",
    }
    if isinstance(song.get("year"), int) and song["year"] > 0:
        track["release_year"] = song["year"]
    return track


def _covers(item: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """A song's, album's or artist's cover art (`coverArt`), through Encore, largest first;
    the id quoted, as a server's may hold "/", "?" or "#" (servers that use paths)."""
    if not item.get("coverArt"):
        return []
    cover = f"/api/subsonic/covers/{key}/{quote(str(item['coverArt']), safe='')}"
    return [{"url": f"{cover}?size={s}", "width": s, "height": s} for s in reversed(COVER_SIZES)]


def to_found_artist(artist: dict[str, Any], key: str) -> dict[str, Any]:
    """A `search3` artist as a search hit (the shape of search/query.py's)."""
    covers = _covers(artist, key)
    return {"id": item_id(key, "artist", str(artist["id"])), "name": str(artist.get("name") or ""),
            "source": "subsonic", "image": covers[1]["url"] if covers else None, "tracks": None}


def to_found_album(album: dict[str, Any], key: str) -> dict[str, Any]:
    """A `search3` album as a search hit."""
    covers = _covers(album, key)
    artist = [{"id": item_id(key, "artist", str(album.get("artistId") or album["artist"])),
               "name": str(album["artist"])}] if album.get("artist") else []
    return {"id": item_id(key, "album", str(album["id"])), "name": str(album.get("name") or ""),
            "source": "subsonic", "image": covers[1]["url"] if covers else None,
            "artists": artist}


def _features(song: dict[str, Any]) -> dict[str, float]:
    """What the server knows about the sound: BPM, and loudness from ReplayGain (a track gain
    of g dB means about -18 - g LUFS)."""
    features: dict[str, float] = {}
    if isinstance(song.get("bpm"), int | float) and song["bpm"] > 0:
        features["tempo"] = float(song["bpm"])
    gain = (song.get("replayGain") or {}).get("trackGain")
    if isinstance(gain, int | float):
        features["loudness"] = max(-60.0, min(0.0, -18.0 - float(gain)))
    return features


_MP4 = frozenset({"m4a", "mp4", "m4b", "aac"})
MAX_AAC_KBPS = 400  # above this an MPEG-4 file holds lossless ALAC, not AAC


def target_format(song: dict[str, Any]) -> str:
    """`raw` (the file as it is: Range works) when browsers play it, else `mp3`. An `.m4a`
    may hold ALAC, which Chromium and Firefox cannot play: a lossless one (OpenSubsonic's
    `bitDepth`) or one above MAX_AAC_KBPS is asked as MP3 too."""
    suffix = str(song.get("suffix") or "").lower()
    if suffix in _MP4:
        depth, rate = song.get("bitDepth"), song.get("bitRate")
        if (isinstance(depth, int) and depth > 0) or (
                isinstance(rate, int | float) and rate > MAX_AAC_KBPS):
            return "mp3"
    return "raw" if suffix in PLAYABLE or not suffix else "mp3"
