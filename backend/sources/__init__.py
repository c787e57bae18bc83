"""Music sources: where a user's feed candidates come from and how a track id resolves.

Sources: the demo catalog (built in), catalog sources (the local library; any source that
keeps its tracks in the store's catalog), a connected Spotify account, and Subsonic servers
(the listener's own account, this Encore's server-wide library: `sources/subsonic.py`).
`source=all` (the default) mixes every source the listener has and allows
(`settings.sources`, empty = all); the demo catalog only while there is no other. The feed
never fails because a source does: Spotify and Subsonic fall back to their last candidates,
then to the other sources or the demo catalog, and say so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache

from ..catalog.demo import demo_track, demo_tracks, is_demo_track, shared_demo_track
from ..spotify import SpotifyError, SpotifyService
from ..subsonic.ids import is_subsonic_id
from . import spotify as spotify_source
from .catalog import CatalogSource
from .subsonic import SubsonicSource

CANDIDATE_TTL_S = 600  # how long a user's Spotify candidates are reused before asking again
# This node's memory of Spotify tracks, bounded (least recently used go first): the users whose
# last candidates it keeps (also the fallback when Spotify fails), and the tracks they name.
CANDIDATE_USERS = 2000
SPOTIFY_TRACKS = 20_000


@dataclass
class Candidates:
    tracks: list[dict[str, Any]]  # shared and read-only: the same dicts until a new fetch
    source: str  # demo | spotify | local | … | mixed (several)
    note: str | None = None  # said to the user when something fell back


class MusicSources:
    def __init__(self, spotify: SpotifyService,
                 catalogs: list[CatalogSource] | None = None,
                 subsonic: SubsonicSource | None = None) -> None:
        self.spotify = spotify
        self.catalogs = {c.name: c for c in catalogs or []}
        self.subsonic = subsonic
        # id -> track, across users; username -> (fetched at, ids)
        self._spotify_tracks: LRUCache[str, dict[str, Any]] = LRUCache(SPOTIFY_TRACKS)
        self._candidates: LRUCache[str, tuple[float, list[str]]] = LRUCache(CANDIDATE_USERS)

    def names(self) -> list[str]:
        """Every source a feed may ask for by name."""
        return ["all", "demo", "spotify", *self.catalogs, *(["subsonic"] if self.subsonic else [])]

    async def available(self, username: str) -> list[str]:
        """The sources this listener has (the demo catalog only when there is no other)."""
        have = [name for name, c in self.catalogs.items() if await c.size() > 0]
        if (await self.spotify.status(username)).get("connected"):
            have.append("spotify")
        if self.subsonic is not None and await self.subsonic.service.reachable(username):
            have.append("subsonic")
        return have or ["demo"]

    async def playing(self, username: str, settings: dict[str, Any]) -> list[str]:
        """The sources a feed of every source (`source=all`, the default) plays from for this
        listener: those they have and allow (`settings.sources`, empty = all), the demo catalog
        only while there is none. Search answers from the same ones (search/query.py): one
        decision, so search never offers songs the feed would not play."""
        allowed = set(settings.get("sources") or []) or None
        names = [n for n in await self.available(username)
                 if n != "demo" and (allowed is None or n in allowed)]
        return names or ["demo"]

    async def candidates(
        self, username: str, settings: dict[str, Any], source: str | None = None,
        seed: str = "",
    ) -> Candidates:
        """`source` names one source (`demo` even with Spotify connected: the page's fallback
        when Spotify cannot play here), or all of them (None, "all"). `seed` changes the
        catalog sources' selection (a refresh)."""
        if source == "demo":
            return Candidates(demo_tracks(), "demo")
        if source in self.catalogs:
            tracks = await self.catalogs[source].candidates(username, settings, seed)
            if tracks:
                return Candidates(tracks, source)
            return Candidates(demo_tracks(), "demo",
                              f"Your {source} library has no tracks yet; playing the demo "
                              "catalog.")
        if source == "spotify":
            return await self._spotify(username, settings)
        if source == "subsonic":
            part = await self._subsonic(username, settings)
            if part.tracks:
                return part
            return Candidates(demo_tracks(), "demo", _and_demo(part.note))
        names = [n for n in await self.playing(username, settings) if n != "demo"]
        parts: list[Candidates] = []
        for name in names:
            if name == "subsonic":
                parts.append(await self._subsonic(username, settings))
                continue
            part = (await self._spotify(username, settings) if name == "spotify"
                    else Candidates(await self.catalogs[name].candidates(
                        username, settings, seed), name))
            if part.source == "demo" and len(names) > 1:  # Spotify failed: the others play
                parts.append(Candidates([], "spotify", part.note))
            else:
                parts.append(part)
        tracks = [t for p in parts for t in p.tracks]
        notes = " ".join(p.note for p in parts if p.note) or None
        if not tracks:
            return Candidates(demo_tracks(), "demo", _and_demo(notes))
        sources = {p.source for p in parts if p.tracks}
        return Candidates(tracks, sources.pop() if len(sources) == 1 else "mixed", notes)

    async def _subsonic(self, username: str, settings: dict[str, Any]) -> Candidates:
        assert self.subsonic is not None
        answer = await self.subsonic.candidates(username, settings)
        return Candidates(answer.tracks, "subsonic", answer.notice)

    async def _spotify(self, username: str, settings: dict[str, Any]) -> Candidates:
        if not (await self.spotify.status(username)).get("connected"):
            return Candidates(demo_tracks(), "demo")
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
                demo_tracks(),
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

    def remember_tracks(self, tracks: list[dict[str, Any]]) -> None:
        """Spotify tracks fetched elsewhere (a playlist import, a search), so they resolve."""
        for track in tracks:
            self._spotify_tracks[track["id"]] = track

    def known(self, track_id: str) -> bool:
        """Whether an interaction may name this track (demo, catalog, a Spotify id)."""
        return (
            is_demo_track(track_id)
            or any(c.owns(track_id) for c in self.catalogs.values())
            or track_id in self._spotify_tracks
            or spotify_source.looks_like_spotify_id(track_id)
            or (self.subsonic is not None and is_subsonic_id(track_id))  # offline plays too
        )

    async def resolve(self, username: str, ids: list[str],
                      read_only: bool = False) -> dict[str, dict[str, Any]]:
        """Tracks by id; unknown ids are left out. `read_only`: the caller never edits them
        (learning, trainings), so demo tracks are the catalog's own dicts, not copies: no copy
        per learned play, and their vectors are found by identity (features.hold)."""
        demo = shared_demo_track if read_only else demo_track
        ids = list(dict.fromkeys(ids))  # a history names each track many times
        found: dict[str, dict[str, Any]] = {}
        missing: list[str] = []
        for catalog in self.catalogs.values():
            found.update(await catalog.resolve([i for i in ids if catalog.owns(i)]))
        if self.subsonic is not None:
            found.update(await self.subsonic.resolve(
                username, [i for i in ids if is_subsonic_id(i)]))
        for track_id in ids:
            if track_id in found:
                continue
            track = demo(track_id) or self._spotify_tracks.get(track_id)
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

    def forget(self, username: str) -> None:
        """A source changed (Subsonic connected or not): ask again at the next feed."""
        if self.subsonic is not None:
            self.subsonic.forget(username)

    def hear(self, interactions: list[dict[str, Any]]) -> bool:
        """Whether a source wants to be told of these (`listened`): only Subsonic does, of its
        own tracks; a play of a demo or local track needs no background task at all."""
        return self.subsonic is not None and any(
            is_subsonic_id(str(i.get("track_id", ""))) for i in interactions)

    async def listened(self, username: str, interactions: list[dict[str, Any]]) -> None:
        """Tell the sources what was listened to (Subsonic: scrobble, star, report)."""
        if self.subsonic is not None:
            await self.subsonic.listened(username, interactions)


def _and_demo(notes: str | None) -> str | None:
    """A notice that says the demo catalog plays instead, when it does not say so yet."""
    if notes and "demo catalog" not in notes:
        return f"{notes} Playing the demo catalog."
    return notes
