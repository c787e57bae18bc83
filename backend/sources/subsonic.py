"""Feed candidates from Subsonic servers, as Encore Tracks, and what listening tells the server.

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
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cachetools import LRUCache, TTLCache

from ..search.text import fold, score, track_fields
from ..store import Store
from ..subsonic.errors import SubsonicError
from ..subsonic.ids import item_id, parse_item_id, parse_track_id, track_id
from ..subsonic.service import Connection, SubsonicService

log = logging.getLogger("encore.subsonic")

CANDIDATE_TTL_S = 600  # a listener's candidates are reused this long before asking again
FEED_WAIT_S = 5.0  # the most a feed waits for Subsonic servers; a slower answer lands later
FETCH_BUDGET_S = 30.0  # the most one round of asking a server may take in the background
UNSUPPORTED_S = 24 * 3600
SEARCH_WAIT_S = 3.0  # the most a search waits for Subsonic servers; the other hits go without
ARTIST_ALBUMS = 40  # the most albums an artist's page (or search) asks songs of
WORD_SEARCHES = 3  # the most words of a query searched one by one when it found nothing whole
ARTIST_NAME_HITS = 20  # of each kind, when an artist's page looks its name up with search3
# This node's memory, bounded (least recently used go first): Subsonic tracks it served (a
# forgotten one is asked again with getSong), and the listeners whose candidates it keeps.
MAX_TRACKS = 20_000
CANDIDATE_USERS = 2000
SEARCH_TTL_S = 60  # a listener's search answer from a server is reused this long
SEARCH_ANSWERS = 2000  # this node keeps at most this many (least recently used go first)
# What browsers play as they are; anything else is transcoded to MP3 by the server.
PLAYABLE = frozenset({"mp3", "ogg", "oga", "opus", "flac", "wav", "m4a", "mp4", "aac", "webm"})
COVER_SIZES = (64, 300, 600)


@dataclass
class SubsonicFound:
    """Search hits from the listener's Subsonic servers, in search/query.py's shapes."""

    tracks: list[dict[str, Any]] = field(default_factory=list)
    artists: list[dict[str, Any]] = field(default_factory=list)
    albums: list[dict[str, Any]] = field(default_factory=list)
    notice: str | None = None


@dataclass
class SubsonicCandidates:
    tracks: list[dict[str, Any]]
    notice: str | None = None


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
    """A song's, album's or artist's cover art (`coverArt`), through Encore, largest first."""
    if not item.get("coverArt"):
        return []
    cover = f"/api/subsonic/covers/{key}/{item['coverArt']}"
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
        # (username, server key, query, count) -> hits, the songs by id (`_searched`)
        self._searches: TTLCache[tuple[str, str, str, int], dict[str, list[Any]]] = TTLCache(
            SEARCH_ANSWERS, SEARCH_TTL_S)

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

    def cached(self, tid: str) -> dict[str, Any] | None:
        return self._tracks.get(tid)

    async def format_of(self, connection: Connection, tid: str, song_id: str) -> str:
        """The `format` to ask `stream` for (`target_format`)."""
        if tid not in self._format:
            self._remember(await connection.client.song(song_id), connection.key)
        return self._format.get(tid, "raw")

    async def resolve(self, username: str, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Tracks by id (remembered, else `getSong`); unknown or unreachable ones left out."""
        found = {i: self._tracks[i] for i in ids if i in self._tracks}
        missing = [i for i in ids if i not in found and parse_track_id(i)]
        if not missing:
            return found
        connections = {c.key: c for c in await self.service.connections(username)}
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

    # --- search and browse ---------------------------------------------------------------
    async def search(self, username: str, query: str, count: int) -> SubsonicFound:
        """Every server's `search3` hits, asked in parallel; the songs of the best artist hit
        too (a server may match songs by title only: Supysonic does). A server slower than
        SEARCH_WAIT_S or failing is left out, said in `notice`; the others' hits stay."""
        connections = await self.service.connections(username)
        query = " ".join(query.split())  # "rock  song" is "rock song" (Supysonic finds nothing)
        found = SubsonicFound()
        results = await asyncio.gather(*(self._search_within(username, c, query, count)
                                         for c in connections), return_exceptions=True)
        failures: list[str] = []
        for connection, result in zip(connections, results, strict=True):
            if isinstance(result, SubsonicError):
                failures.append(f"{result.message.rstrip('.')}; its songs are left out of "
                                "this search.")
            elif isinstance(result, BaseException):
                log.error("subsonic search failed", exc_info=result)
                failures.append(f"The Subsonic server at {_host(connection)} failed; its songs "
                                "are left out of this search.")
            else:
                for kind in ("tracks", "artists", "albums"):
                    getattr(found, kind).extend(result[kind])
        found.notice = _join(failures)
        return found

    async def _search_within(self, username: str, connection: Connection, query: str,
                             count: int) -> dict[str, list[dict[str, Any]]]:
        try:
            async with asyncio.timeout(SEARCH_WAIT_S):
                return await self._search_server(username, connection, query, count)
        except TimeoutError:
            raise SubsonicError.down(_host(connection), "did not answer in time") from None

    async def _search_server(self, username: str, connection: Connection, query: str,
                             count: int) -> dict[str, list[dict[str, Any]]]:
        """The server's hits for the query. A server matches the query as a whole within one
        field, so "blue miles" (a title word and an artist's) finds nothing: then its words
        are searched (the WORD_SEARCHES longest, in parallel), and the hits kept are those
        that match every word across title, artist and album, as the other sources' hits do
        (search/text.py: case, accents and a typo aside), best first."""
        found = await self._searched(username, connection, query, count)
        typed = [w for w in dict.fromkeys(query.split()) if fold(w)]
        if any(found.values()) or len(typed) < 2:
            return found
        wanted = [fold(w) for w in typed]  # in the order typed: the last one may be cut short
        picked = sorted(typed, key=len, reverse=True)[:WORD_SEARCHES]
        parts = await asyncio.gather(*(self._searched(username, connection, w, count)
                                       for w in picked))
        return {kind: _best(wanted, [hit for part in parts for hit in part[kind]], fields)[:count]
                for kind, fields in (("tracks", track_fields), ("artists", _artist_fields),
                                     ("albums", _album_fields))}

    async def _searched(self, username: str, connection: Connection, query: str,
                        count: int) -> dict[str, list[dict[str, Any]]]:
        """`_search_one`'s answer, kept SEARCH_TTL_S for this listener, server and query:
        search as you type sends the same query again and again (a pause, a letter typed and
        taken back, the results page opened). Never another listener's: their accounts may
        see other music. Its songs are kept by id, as remembered tracks (a song forgotten
        since asks again)."""
        key = (username, connection.key, query, count)
        kept = self._searches.get(key)
        if kept is not None and all(i in self._tracks for i in kept["tracks"]):
            return {"tracks": self._known(kept["tracks"]), "artists": list(kept["artists"]),
                    "albums": list(kept["albums"])}
        found = await self._search_one(connection, query, count)
        self._searches[key] = {**found, "tracks": [t["id"] for t in found["tracks"]]}
        return found

    async def _search_one(self, connection: Connection, query: str,
                          count: int) -> dict[str, list[dict[str, Any]]]:
        key = connection.key
        answer = await connection.client.search(query, count)
        songs = answer["songs"]
        if answer["artists"] and len(songs) < count:
            with contextlib.suppress(SubsonicError):  # the title hits are still hits
                songs += await self._artist_songs(connection, str(answer["artists"][0]["id"]))
        tracks = {t["id"]: t for t in (self._remember(s, key) for s in songs) if t is not None}
        return {"tracks": list(tracks.values())[:count],
                "artists": [to_found_artist(a, key) for a in answer["artists"] if a.get("id")],
                "albums": [to_found_album(a, key) for a in answer["albums"] if a.get("id")]}

    async def _artist_songs(self, connection: Connection, artist_id: str) -> list[dict[str, Any]]:
        """An artist's songs: `getArtist` for its albums, `getAlbum` for each (at most
        ARTIST_ALBUMS, in parallel)."""
        albums = (await connection.client.artist_albums(artist_id))["album"][:ARTIST_ALBUMS]
        lists = await asyncio.gather(*(connection.client.album_songs(str(a["id"]))
                                       for a in albums if a.get("id")))
        return [s for songs in lists for s in songs]

    async def browse(self, username: str, kind: str, item: str) -> list[dict[str, Any]]:
        """The tracks of an artist or album (`kind`) by its Encore id, from its server
        (`getArtist` + `getAlbum`, or `getAlbum`); [] when no server of the listener has it.
        Raises SubsonicError when the server cannot say."""
        parsed = parse_item_id(item, kind)
        connection = (await self.service.connection_for(username, parsed[0])) if parsed else None
        if parsed is None or connection is None:
            return []
        try:
            songs = await (self._artist_page_songs(connection, parsed[1]) if kind == "artist"
                           else connection.client.album_songs(parsed[1]))
        except SubsonicError as error:
            if error.unreachable or error.is_auth:
                raise
            return []  # the server has no such item (70), or cannot read the id (0, 10)
        tracks = (self._remember(s, connection.key) for s in songs)
        return list({t["id"]: t for t in tracks if t is not None}.values())

    async def _artist_page_songs(self, connection: Connection,
                                 artist_id: str) -> list[dict[str, Any]]:
        """The songs of the artist with this id; failing that, of the artist with this name:
        a song that carries no `artistId` gets an artist id made of the name (to_track),
        which `getArtist` does not know."""
        try:
            if songs := await self._artist_songs(connection, artist_id):
                return songs
        except SubsonicError as error:
            if error.unreachable or error.is_auth:
                raise
        return await self._songs_of_artist_named(connection, artist_id)

    async def _songs_of_artist_named(self, connection: Connection,
                                     name: str) -> list[dict[str, Any]]:
        """`search3` for the name: the songs of its artist hit of that very name (`getArtist`,
        `getAlbum`), and its song hits by that artist (a server may match songs by artist)."""
        answer = await connection.client.search(name, ARTIST_NAME_HITS)
        wanted = fold(name)
        songs = [s for s in answer["songs"] if fold(str(s.get("artist") or "")) == wanted]
        artist = next((a for a in answer["artists"] if a.get("id") and a["id"] != name
                       and fold(str(a.get("name") or "")) == wanted), None)
        if artist is not None:
            songs += await self._artist_songs(connection, str(artist["id"]))
        return songs

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
        for key in [k for k in list(self._searches) if k[0] == username]:
            self._searches.pop(key, None)

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


def _best(wanted: list[str], hits: list[dict[str, Any]],
          fields: Callable[[dict[str, Any]], dict[str, str]]) -> list[dict[str, Any]]:
    """The hits (each once) matching every wanted word in their `fields`, best first."""
    scored = {h["id"]: (score(wanted, fields(h)), h) for h in hits}
    return [h for s, h in sorted(scored.values(), key=lambda sh: -sh[0]) if s > 0]


def _artist_fields(artist: dict[str, Any]) -> dict[str, str]:
    return {"name": fold(str(artist.get("name") or ""))}


def _album_fields(album: dict[str, Any]) -> dict[str, str]:
    names = " ".join(str(a.get("name") or "") for a in album.get("artists") or [])
    return {"name": fold(str(album.get("name") or "")), "artists": fold(names)}


def _genre_key(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _host(connection: Connection) -> str:
    return connection.client.host


def _failure_notice(connection: Connection, error: SubsonicError) -> str:
    text = error.message.rstrip(".")
    return f"{text}. Your Subsonic songs are left out for now."


def _join(notices: list[str]) -> str | None:
    return " ".join(n for n in notices if n) or None
