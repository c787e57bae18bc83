"""A deterministic music library for the emulator: artists, albums, songs, genres.

One seeded `random.Random` builds it, so two emulators with the same seed serve the same
library. Ids look like Navidrome's (22 characters of base62). Songs are turned into the
reference's `Child` objects by `child()`; the per-listener fields (starred, play count, rating)
come from the state.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

GENRES = ("Rock", "Electronic", "Jazz", "Hip-Hop", "Folk", "Classical", "Pop", "Ambient")
SIMILAR_GENRES = {  # what getSimilarSongs2 treats as "similar artists"
    "Rock": ("Rock", "Pop"), "Pop": ("Pop", "Rock", "Electronic"),
    "Electronic": ("Electronic", "Ambient", "Pop"), "Ambient": ("Ambient", "Electronic"),
    "Jazz": ("Jazz", "Classical"), "Classical": ("Classical", "Jazz"),
    "Hip-Hop": ("Hip-Hop", "Electronic"), "Folk": ("Folk", "Rock"),
}
_FIRST = ["Nova", "Ada", "Milo", "Lena", "Omar", "Iris", "Theo", "Maya", "Kai", "Rosa", "Felix",
          "Zara", "Jonas", "Lila", "Arlo", "Nina"]
_LAST = ["Holm", "Reyes", "Okafor", "Lind", "Moreau", "Tanaka", "Byrne", "Silva", "Novak",
         "Haddad", "Berg", "Quinn"]
_WORDS = ["Midnight", "Echo", "Velvet", "Paper", "Golden", "Neon", "Silent", "River", "Glass",
          "Ember", "Static", "Harbor", "Orbit", "Willow", "Thunder", "Mirror", "Canyon",
          "Lantern", "Ocean", "Copper", "Hollow", "Crimson", "Drift", "Signal", "Moon"]
_NOUNS = ["Lights", "Hearts", "Roads", "Dreams", "Machines", "Birds", "Tides", "Rooms", "Stars"]
_BASE62 = string.digits + string.ascii_letters
CREATED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Artist:
    id: str
    name: str
    genre: str


@dataclass(frozen=True)
class Album:
    id: str
    name: str
    artist: Artist
    year: int
    genre: str
    cover_art: str
    song_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Song:
    id: str
    title: str
    album: Album
    artist: Artist
    track: int
    duration: int  # seconds
    genre: str
    bpm: int
    tone_hz: int  # the pitch of the emulator's audio for this song
    sonic: tuple[float, float]  # a point in "sound space" for getSonicSimilarTracks

    @property
    def size(self) -> int:
        from .media import audio_size

        return audio_size(self.duration)


@dataclass
class Catalog:
    artists: dict[str, Artist] = field(default_factory=dict)
    albums: dict[str, Album] = field(default_factory=dict)
    songs: dict[str, Song] = field(default_factory=dict)

    def by_genre(self, genre: str) -> list[Song]:
        return [s for s in self.songs.values() if s.genre.lower() == genre.lower()]

    def artist_named(self, name: str) -> Artist | None:
        return next((a for a in self.artists.values() if a.name.lower() == name.lower()), None)


def _id(rng: random.Random) -> str:
    return "".join(rng.choice(_BASE62) for _ in range(22))


def build_catalog(seed: int = 7, artists: int = 16, albums_per_artist: int = 2,
                  songs_per_album: int = 6, duration: tuple[int, int] = (150, 300)) -> Catalog:
    rng = random.Random(seed)
    catalog = Catalog()
    names = rng.sample([f"{f} {last}" for f in _FIRST for last in _LAST], artists)
    for index, name in enumerate(names):
        artist = Artist(_id(rng), name, GENRES[index % len(GENRES)])
        catalog.artists[artist.id] = artist
        for _ in range(albums_per_artist):
            album_id = _id(rng)
            album = Album(album_id, f"{rng.choice(_WORDS)} {rng.choice(_NOUNS)}", artist,
                          rng.randint(1965, 2024), artist.genre, f"al-{album_id}")
            songs = []
            for number in range(1, songs_per_album + 1):
                song = Song(_id(rng), f"{rng.choice(_WORDS)} {rng.choice(_WORDS)}", album,
                            artist, number, rng.randint(*duration), artist.genre,
                            rng.randint(70, 170), rng.randint(200, 800),
                            (rng.random(), rng.random()))
                catalog.songs[song.id] = song
                songs.append(song.id)
            catalog.albums[album_id] = Album(album.id, album.name, artist, album.year,
                                             album.genre, album.cover_art, tuple(songs))
    return catalog


def child(song: Song, *, starred_at: datetime | None = None, play_count: int = 0,
          rating: int | None = None) -> dict[str, Any]:
    """The reference's `Child` for a song (OpenSubsonic fields included)."""
    album, artist = song.album, song.artist
    out: dict[str, Any] = {
        "id": song.id, "parent": album.id, "isDir": False, "title": song.title,
        "album": album.name, "artist": artist.name, "track": song.track, "year": album.year,
        "genre": song.genre, "coverArt": album.cover_art, "size": song.size,
        "contentType": "audio/wav", "suffix": "wav", "duration": song.duration,
        "bitRate": 64, "bitDepth": 8, "samplingRate": 8000, "channelCount": 1,
        "path": f"{artist.name}/{album.name}/{song.track:02d} {song.title}.wav",
        "isVideo": False, "playCount": play_count, "discNumber": 1,
        "created": CREATED.isoformat().replace("+00:00", "Z"), "albumId": album.id,
        "artistId": artist.id, "type": "music", "mediaType": "song", "bpm": song.bpm,
        "sortName": song.title.lower(), "musicBrainzId": "",
        "genres": [{"name": song.genre}], "artists": [{"id": artist.id, "name": artist.name}],
        "displayArtist": artist.name, "albumArtists": [{"id": artist.id, "name": artist.name}],
        "displayAlbumArtist": artist.name, "explicitStatus": "",
        "replayGain": {"trackGain": -6.5, "albumGain": -6.0, "trackPeak": 0.9,
                       "albumPeak": 0.95},
    }
    if starred_at is not None:
        out["starred"] = starred_at.isoformat().replace("+00:00", "Z")
    if rating is not None:
        out["userRating"] = rating
    return out


def album_id3(album: Album, duration: int, play_count: int = 0) -> dict[str, Any]:
    return {
        "id": album.id, "name": album.name, "artist": album.artist.name,
        "artistId": album.artist.id, "coverArt": album.cover_art,
        "songCount": len(album.song_ids), "duration": duration, "playCount": play_count,
        "created": CREATED.isoformat().replace("+00:00", "Z"), "year": album.year,
        "genre": album.genre, "genres": [{"name": album.genre}],
        "artists": [{"id": album.artist.id, "name": album.artist.name}],
        "displayArtist": album.artist.name, "sortName": album.name.lower(),
    }
