"""Music sources: where a user's feed candidates come from and how a track id resolves.

The demo catalog is always there; a connected Spotify account adds its own candidates. The
feed never fails because Spotify does: it falls back to the last candidates it had, then to
the demo catalog, and says so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache

from ..catalog.demo import demo_catalog, demo_track
from ..spotify import SpotifyError, SpotifyService
from . import spotify as spotify_source

CANDIDATE_TTL_S = 600  # how long a user's Spotify candidates are reused before asking again
# This node's memory of Spotify tracks, bounded (least recently used go first): the users whose
# last candidates it keeps (also the fallback when Spotify fails), and the tracks they name.
CANDIDATE_USERS = 2000
SPOTIFY_TRACKS = 20_000


@dataclass
class Candidates:
    tracks: list[dict[str, Any]]
    source: str  # demo | spotify
    note: str | None = None  # said to the user when something fell back


class MusicSources:
    def __init__(self, spotify: SpotifyService) -> None:
        self.spotify = spotify
        # id -> track, across users; username -> (fetched at, ids)
        self._spotify_tracks: LRUCache[str, dict[str, Any]] = LRUCache(SPOTIFY_TRACKS)
        self._candidates: LRUCache[str, tuple[float, list[str]]] = LRUCache(CANDIDATE_USERS)

    async def candidates(
        self, username: str, settings: dict[str, Any], source: str | None = None
    ) -> Candidates:
        """`source="demo"` asks for the demo catalog even with Spotify connected (the page's
        fallback when Spotify cannot play here)."""
        if source == "demo" or not (await self.spotify.status(username)).get("connected"):
            return Candidates(demo_catalog(), "demo")
        cached = self._candidates.get(username)
        if cached and time.time() - cached[0] < CANDIDATE_TTL_S:
            return Candidates(self._tracks(cached[1]), "spotify")
        try:
            tracks = await spotify_source.fetch_candidates(self.spotify, username, settings)
        except SpotifyError as error:
            if cached:
                return Candidates(
                    self._tracks(cached[1]),
                    "spotify",
                    f"Spotify is not answering ({error.message}); showing your last songs.",
                )
            return Candidates(
                demo_catalog(),
                "demo",
                f"Spotify is not answering ({error.message}); playing the demo catalog.",
            )
        self.remember(username, tracks)
        return Candidates(tracks, "spotify")

    def remember(self, username: str, tracks: list[dict[str, Any]]) -> None:
        """Keep a user's fresh candidates (and their tracks) for reuse and fallback."""
        for track in tracks:
            self._spotify_tracks[track["id"]] = track
        self._candidates[username] = (time.time(), [t["id"] for t in tracks])

    def held(self) -> tuple[int, int]:
        """(users, tracks) this node keeps in memory."""
        return len(self._candidates), len(self._spotify_tracks)

    def _tracks(self, ids: list[str]) -> list[dict[str, Any]]:
        return [self._spotify_tracks[i] for i in ids if i in self._spotify_tracks]

    def known(self, track_id: str) -> bool:
        """Whether an interaction may name this track (demo, or a Spotify id we served)."""
        return (
            demo_track(track_id) is not None
            or track_id in self._spotify_tracks
            or spotify_source.looks_like_spotify_id(track_id)
        )

    async def resolve(self, username: str, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Tracks by id, for learning; unknown ids are left out."""
        found: dict[str, dict[str, Any]] = {}
        missing: list[str] = []
        for track_id in dict.fromkeys(ids):
            track = demo_track(track_id) or self._spotify_tracks.get(track_id)
            if track is not None:
                found[track_id] = track
            elif spotify_source.looks_like_spotify_id(track_id):
                missing.append(track_id)
        if missing:
            try:
                for track in await spotify_source.fetch_tracks(self.spotify, username, missing):
                    self._spotify_tracks[track["id"]] = track
                    found[track["id"]] = track
            except SpotifyError:
                pass  # learned later, when the model is rebuilt with Spotify reachable
        return found
