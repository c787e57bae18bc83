"""Feed candidates from Subsonic servers, as Encore Tracks, and what listening tells the server;
the tracks this node met, so their ids resolve. Search and the artist and album pages are
subsonic_search.py's, the shapes subsonic_tracks.py's.

Candidates (per server the listener reaches, in parallel, within one time budget):
random songs; songs of the listener's favourite genres (matched to the server's genre names);
the server's most played and newest albums; and, seeded by what the listener finished or liked
lately, `getSimilarSongs2` and `getTopSongs` for those artists and `getSonicSimilarTracks` for
those songs where the server offers `sonicSimilarity`. A method the server does not have
(Supysonic has neither similar nor top songs) is not asked again for a day.

Listening goes back to the server as its users expect: a finish is scrobbled
(`submission=true`, at the time it happened, also when it reaches Encore late from an offline
device), a like stars the song, a dislike unstars it, and where `playbackReport` is offered the
end of a play (finished or skipped, with its position) is reported without a second scrobble.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache

from ..store import Store
from ..subsonic.errors import SubsonicError
from ..subsonic.ids import parse_track_id
from ..subsonic.service import Connection, SubsonicService
from .subsonic_search import SubsonicFound, SubsonicSearch
from .subsonic_tracks import target_format, to_track

log = logging.getLogger("encore.subsonic")

CANDIDATE_TTL_S = 600  # a listener's candidates are reused this long before asking again
FEED_WAIT_S = 5.0  # the most a feed waits for Subsonic servers; a slower answer lands later
FETCH_BUDGET_S = 30.0  # the most one round of asking a server may take in the background
UNSUPPORTED_S = 24 * 3600
# This node's memory, bounded (least recently used go first): Subsonic tracks it served (a
# forgotten one is asked again with getSong), and the listeners whose candidates it keeps.
MAX_TRACKS = 20_000
CANDIDATE_USERS = 2000


@dataclass
class SubsonicCandidates:
    tracks: list[dict[str, Any]]
    notice: str | None = None


class SubsonicSource:
    def __init__(self, service: SubsonicService, store: Store) -> None:
        self.service = service
        self.store = store
        self._tracks: LRUCache[str, dict[str, Any]] = LRUCache(MAX_TRACKS)
        self._format: LRUCache[str, str] = LRUCache(MAX_TRACKS)  # track id -> stream format
        # username -> (fetched at, ids)
        self._candidates: LRUCache[str, tuple[float, list[str]]] = LRUCache(CANDIDATE_USERS)
        self._unsupported: dict[tuple[str, str], float] = {}  # (server key, method) -> until
        self._genres: dict[str, tuple[float, list[str]]] = {}  # server key -> (at, names)
        self._fetching: dict[str, asyncio.Task[tuple[list[dict[str, Any]], list[str]]]] = {}
        self.finder = SubsonicSearch(service, self._remember, self._known)

    # --- tracks --------------------------------------------------------------------------
    def _remember(self, song: dict[str, Any], key: str) -> dict[str, Any] | None:
        track = to_track(song, key)
        if track is None:
            return None
        self._tracks[track["id"]] = track
        self._format[track["id"]] = target_format(song)
        return track

    def remember(self, song: dict[str, Any], key: str) -> dict[str, Any] | None:
        """A song met elsewhere (a playlist import), kept so it resolves like the others."""
        return self._remember(song, key)

    async def format_of(self, connection: Connection, tid: str, song_id: str) -> str:
        """The `format` to ask `stream` for (`target_format`)."""
        if tid not in self._format:
            self._remember(await connection.client.song(song_id), connection.key)
        return self._format.get(tid, "raw")

    async def resolve(self, username: str, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Tracks by id (remembered, else `getSong`) on the servers the listener reaches;
        unknown or unreachable ones left out. This node remembers songs for every listener,
        but a listener's own server is theirs: another who names its ids learns nothing."""
        if not ids:
            return {}
        link = await self.store.get_subsonic_link(username)  # once: keys and connections
        keys = self.service.server_keys(link)
        ids = [i for i in ids if (parsed := parse_track_id(i)) and parsed[0] in keys]
        found = {i: self._tracks[i] for i in ids if i in self._tracks}
        missing = [i for i in ids if i not in found]
        if not missing:
            return found
        connections = {c.key: c for c in await self.service.connections_with(username, link)}
        for tid in missing[:200]:
            key, song_id = parse_track_id(tid) or ("", "")
            connection = connections.get(key)
            if connection is None:
                continue
            try:
                track = self._remember(await connection.client.song(song_id), key)
            except SubsonicError as error:
                if error.unreachable:
                    break  # learned later, when the model is rebuilt with the server back
                continue
            if track is not None:
                found[tid] = track
        return found

    # --- search and browse (subsonic_search.py) -------------------------------------------
    async def search(self, username: str, query: str, count: int) -> SubsonicFound:
        return await self.finder.search(username, query, count)

    async def browse(self, username: str, kind: str, item: str) -> list[dict[str, Any]]:
        return await self.finder.browse(username, kind, item)

    # --- candidates ----------------------------------------------------------------------
    async def candidates(self, username: str, settings: dict[str, Any]) -> SubsonicCandidates:
        connections = await self.service.connections(username)
        notices = [self._shared_notice()] if self.service.shared_url and not any(
            c.scope == "server" for c in connections) else []
        if not connections:
            return SubsonicCandidates([], _join(notices))
        cached = self._candidates.get(username)
        if cached and time.time() - cached[0] < CANDIDATE_TTL_S:
            return SubsonicCandidates(self._known(cached[1]), _join(notices))
        # One round of asking per listener at a time. It runs on its own, so a feed that stops
        # waiting (a slow server) does not throw the work away: the next feed has the songs.
        task = self._fetching.get(username)
        if task is None or task.done():
            seeds = await self._seeds(username)
            task = self.service.spawn(self._ask(username, connections, settings, seeds))
            self._fetching[username] = task
            task.add_done_callback(lambda done: self._fetching.pop(username, None)
                                   if self._fetching.get(username) is done else None)
        try:
            async with asyncio.timeout(FEED_WAIT_S):
                tracks, failures = await asyncio.shield(task)
        except TimeoutError:
            hosts = ", ".join(_host(c) for c in connections)
            notices.append(f"The Subsonic server at {hosts} is slow to answer; its songs "
                           "will be in your feed shortly.")
            songs = self._known(cached[1]) if cached else []
            return SubsonicCandidates(songs, _join(notices))
        notices += failures
        if not tracks and cached:  # every server failed: the last songs, said so
            notices.append("Showing your last Subsonic songs.")
            return SubsonicCandidates(self._known(cached[1]), _join(notices))
        return SubsonicCandidates(tracks, _join(notices))

    async def _ask(self, username: str, connections: list[Connection], settings: dict[str, Any],
                   seeds: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
        """Every server's candidates (kept for the listener when there are any) and what
        failed, in words."""
        for connection in connections:  # once a day: its extensions may have changed
            await self.service.refresh(connection, username)
        results = await asyncio.gather(*(self._fetch_within_budget(c, settings, seeds)
                                         for c in connections), return_exceptions=True)
        tracks: dict[str, dict[str, Any]] = {}
        notices: list[str] = []
        for connection, result in zip(connections, results, strict=True):
            if isinstance(result, SubsonicError):
                notices.append(_failure_notice(connection, result))
                if connection.scope == "server":
                    self.service.shared_failed(result)
                continue
            if isinstance(result, BaseException):
                log.exception("subsonic candidates failed", exc_info=result)
                notices.append(f"The Subsonic server at {_host(connection)} failed.")
                continue
            for track in result:
                tracks.setdefault(track["id"], track)
        if tracks and self._fetching.get(username) is asyncio.current_task():
            self._candidates[username] = (time.time(), list(tracks))  # not after a disconnect
        return list(tracks.values()), notices

    def _known(self, ids: list[str]) -> list[dict[str, Any]]:
        return [self._tracks[i] for i in ids if i in self._tracks]

    def forget(self, username: str) -> None:
        """Ask the servers again next time (after connect/disconnect)."""
        self._candidates.pop(username, None)
        self._fetching.pop(username, None)
        self.finder.forget(username)

    def _shared_notice(self) -> str:
        error = self.service.shared_error
        why = error.message if error else "it is not signed in yet."
        return f"This Encore's Subsonic library is unavailable: {why}"

    async def _seeds(self, username: str) -> list[str]:
        """Subsonic tracks the listener finished or liked lately, newest first (at most 3)."""
        page = await self.store.list_interactions(username, 200)
        seeds: list[str] = []
        for item in page.interactions:
            if item.type in ("finished", "liked") and parse_track_id(item.track_id) and (
                    item.track_id not in seeds):
                seeds.append(item.track_id)
            if len(seeds) == 3:
                break
        return seeds

    async def _fetch_within_budget(self, connection: Connection, settings: dict[str, Any],
                                   seeds: list[str]) -> list[dict[str, Any]]:
        try:
            async with asyncio.timeout(FETCH_BUDGET_S):
                return await self._fetch(connection, settings, seeds)
        except TimeoutError:
            raise SubsonicError.down(_host(connection), "did not answer in time") from None

    async def _fetch(self, connection: Connection, settings: dict[str, Any],
                     seeds: list[str]) -> list[dict[str, Any]]:
        client, key = connection.client, connection.key
        # Random songs first: if the server cannot even do that, it is the error to report.
        songs = await client.random_songs(150)
        calls = [self._optional(connection, "getAlbumList2", self._album_songs(connection))]
        for genre in await self._server_genres(connection, settings):
            calls.append(self._optional(connection, "getSongsByGenre",
                                        client.songs_by_genre(genre, 40)))
        for seed in seeds:
            parsed = parse_track_id(seed)
            if parsed is None or parsed[0] != key:
                continue
            calls += await self._seeded(connection, seed, parsed[1])
        for more in await asyncio.gather(*calls):
            songs += more
        tracks: dict[str, dict[str, Any]] = {}
        for song in songs:
            track = self._remember(song, key)
            if track is not None:
                tracks.setdefault(track["id"], track)
        return list(tracks.values())

    async def _seeded(self, connection: Connection, seed: str, song_id: str) -> list[Any]:
        client = connection.client
        known = self._tracks.get(seed)
        if known is None:
            try:
                known = self._remember(await client.song(song_id), connection.key)
            except SubsonicError:
                return []
        artist = (known or {}).get("artists", [{}])[0] if known else {}
        raw_artist = str(artist.get("id", "")).removeprefix(f"subsonic-{connection.key}-artist-")
        calls: list[Any] = []
        if raw_artist:
            calls.append(self._optional(connection, "getSimilarSongs2",
                                        client.similar_songs(raw_artist, 40)))
        if artist.get("name"):
            calls.append(self._optional(connection, "getTopSongs",
                                        client.top_songs(artist["name"], 15)))
        if connection.info.offers("sonicSimilarity"):
            calls.append(self._optional(connection, "getSonicSimilarTracks",
                                        client.sonic_similar(song_id, 30)))
        return calls

    async def _album_songs(self, connection: Connection) -> list[dict[str, Any]]:
        client = connection.client
        albums = (await client.album_list("frequent", 4)) + (await client.album_list("newest", 4))
        picked = list({a["id"]: a for a in albums if a.get("id")}.values())[:6]
        lists = await asyncio.gather(*(client.album_songs(a["id"]) for a in picked),
                                     return_exceptions=True)
        return [s for songs in lists if isinstance(songs, list) for s in songs]

    async def _server_genres(self, connection: Connection, settings: dict[str, Any]) -> list[str]:
        """The server's names of the listener's favourite genres ("rock" -> "Rock")."""
        wanted = [str(g).lower() for g in settings.get("favorite_genres", [])][:4]
        if not wanted:
            return []
        cached = self._genres.get(connection.key)
        if cached is None or time.time() - cached[0] > CANDIDATE_TTL_S:
            names = await self._optional(connection, "getGenres", connection.client.genres())
            cached = (time.time(), [str(g.get("value") or "") for g in names])
            self._genres[connection.key] = cached
        return [name for name in cached[1] if _genre_key(name) in {_genre_key(w) for w in wanted}]

    async def _optional(self, connection: Connection, method: str, call: Any) -> list[Any]:
        """An extra source of candidates: its failure costs nothing but its songs, and a method
        the server does not have is not asked again for a day."""
        marker = (connection.key, method)
        if self._unsupported.get(marker, 0) > time.time():
            call.close()
            return []
        try:
            result: list[Any] = await call
            return result
        except SubsonicError as error:
            if _not_offered(error):
                self._unsupported[marker] = time.time() + UNSUPPORTED_S
            return []

    # --- listening goes back to the server -------------------------------------------------
    async def now_playing(self, username: str, tid: str, position_ms: int) -> bool:
        """A play started: the server shows it as now playing (`scrobble submission=false`,
        and `reportPlayback state=playing` where offered; never a play count: the finish
        scrobbles). False when the track is not on a server the listener reaches."""
        parsed = parse_track_id(tid)
        connection = (await self.service.connection_for(username, parsed[0])) if parsed else None
        if parsed is None or connection is None:
            return False

        async def tell() -> None:
            try:
                await connection.client.scrobble(parsed[1], int(time.time() * 1000),
                                                  submission=False)
                if connection.info.offers("playbackReport"):
                    await connection.client.report_playback(parsed[1], "playing", position_ms,
                                                            ignore_scrobble=True)
            except SubsonicError as error:
                log.info("subsonic now playing for %s failed: %s", username, error.message)

        self.service.spawn(tell())
        return True

    async def listened(self, username: str, interactions: list[dict[str, Any]]) -> None:
        mine = [i for i in interactions if parse_track_id(str(i.get("track_id", "")))]
        if not mine:
            return
        connections = {c.key: c for c in await self.service.connections(username)}
        for item in sorted(mine, key=lambda i: (i["at"], i["id"])):
            key, song_id = parse_track_id(item["track_id"]) or ("", "")
            connection = connections.get(key)
            if connection is None:
                continue
            try:
                await self._tell(connection, song_id, item)
            except SubsonicError as error:
                log.warning("subsonic %s of %s for %s failed: %s", item["type"],
                            item["track_id"], username, error.message)

    async def _tell(self, connection: Connection, song_id: str, item: dict[str, Any]) -> None:
        client, kind = connection.client, item["type"]
        if kind == "liked":
            await client.star(song_id)
        elif kind == "disliked":
            await client.unstar(song_id)
        else:  # finished | skipped: the end of a play
            if kind == "finished":
                await client.scrobble(song_id, int(item["at"]), submission=True)
            if connection.info.offers("playbackReport"):
                await client.report_playback(song_id, "stopped", int(item["position_ms"]),
                                             ignore_scrobble=True)


def _not_offered(error: SubsonicError) -> bool:
    """The server has no such method (rather than failing at it)."""
    said = error.server_message.lower()
    return (error.code == 0 and any(w in said for w in ("unknown", "not implemented",
                                                         "not supported"))) or (
        error.unreachable and ("HTTP 404" in error.message or "HTTP 501" in error.message))


def _genre_key(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _host(connection: Connection) -> str:
    return connection.client.host


def _failure_notice(connection: Connection, error: SubsonicError) -> str:
    text = error.message.rstrip(".")
    return f"{text}. Your Subsonic songs are left out for now."


def _join(notices: list[str]) -> str | None:
    return " ".join(n for n in notices if n) or None
