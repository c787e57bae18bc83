"""Search and the artist and album pages over a listener's Subsonic servers.

Search asks every server the listener reaches `search3`, in parallel, each within
SEARCH_WAIT_S (a slower or failing one is left out and named); a server may match songs by
title only, so the songs of its first artist hit are added; a query that finds nothing whole is
searched by its words; each server's answer is kept a minute per listener when it is whole
(no call behind it failed), and the same search sent while the server is asked waits for that
answer. One search asks a server at most 31 calls (the query, then its 3 longest words, each
with `getArtist` and SEARCH_ARTIST_ALBUMS `getAlbum`), and a listener's calls at one server run
at most CALLS_IN_FLIGHT at once, however many searches they send (client.py). The pages ask
`getArtist` and `getAlbum`, and an artist known only by name is looked up by it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cachetools import TTLCache

from ..search.text import fold, score, track_fields
from ..subsonic.errors import SubsonicError
from ..subsonic.ids import MAX_ID, parse_item_id
from ..subsonic.service import Connection, SubsonicService
from .subsonic_tracks import to_found_album, to_found_artist

log = logging.getLogger("encore.subsonic")

SEARCH_WAIT_S = 3.0  # the most a search waits for Subsonic servers; the other hits go without
ARTIST_ALBUMS = 40  # the most albums an artist's page asks songs of
SEARCH_ARTIST_ALBUMS = 8  # the most a search asks songs of (its best artist hit's albums)
WORD_SEARCHES = 3  # the most words of a query searched one by one when it found nothing whole
ARTIST_NAME_HITS = 20  # of each kind, when an artist's page looks its name up with search3
SEARCH_TTL_S = 60  # a listener's search answer from a server is reused this long
SEARCH_ANSWERS = 2000  # this node keeps at most this many (least recently used go first)

Remember = Callable[[dict[str, Any], str], dict[str, Any] | None]  # song, server key -> Track
Key = tuple[str, str, str, int]  # username, server key, query (case aside), count
Hits = dict[str, list[dict[str, Any]]]


@dataclass
class _Flight:
    """A search of the server under way, which the same search sent meanwhile waits for."""

    task: asyncio.Task[Hits]
    waiting: int = 0


@dataclass
class SubsonicFound:
    """Search hits from the listener's Subsonic servers, in search/query.py's shapes."""

    tracks: list[dict[str, Any]] = field(default_factory=list)
    artists: list[dict[str, Any]] = field(default_factory=list)
    albums: list[dict[str, Any]] = field(default_factory=list)
    notice: str | None = None


class SubsonicSearch:
    """`remember` makes a song a Track and keeps it (SubsonicSource's memory of tracks);
    `known` gives the remembered tracks among ids."""

    def __init__(self, service: SubsonicService, remember: Remember,
                 known: Callable[[list[str]], list[dict[str, Any]]]) -> None:
        self.service = service
        self.remember = remember
        self.known = known
        # key -> hits, the songs by id (`_searched`)
        self._searches: TTLCache[Key, dict[str, list[Any]]] = TTLCache(SEARCH_ANSWERS,
                                                                      SEARCH_TTL_S)
        self._flights: dict[Key, _Flight] = {}

    def forget(self, username: str) -> None:
        """Ask the servers again (the listener connected or disconnected one)."""
        for key in [k for k in list(self._searches) if k[0] == username]:
            self._searches.pop(key, None)
        for key in [k for k in self._flights if k[0] == username]:
            self._flights.pop(key, None)  # what they answer is neither joined nor kept

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
                failures.append(f"The Subsonic server at {connection.client.host} failed; its "
                                "songs are left out of this search.")
            else:
                for kind in ("tracks", "artists", "albums"):
                    getattr(found, kind).extend(result[kind])
        found.notice = " ".join(failures) or None
        return found

    async def _search_within(self, username: str, connection: Connection, query: str,
                             count: int) -> dict[str, list[dict[str, Any]]]:
        try:
            async with asyncio.timeout(SEARCH_WAIT_S):
                return await self._search_server(username, connection, query, count)
        except TimeoutError:
            raise SubsonicError.down(connection.client.host, "did not answer in time") from None

    async def _search_server(self, username: str, connection: Connection, query: str,
                             count: int) -> dict[str, list[dict[str, Any]]]:
        """The server's hits for the query. A server matches the query as a whole within one
        field, so "blue miles" (a title word and an artist's) finds nothing: then its words
        are searched (the WORD_SEARCHES longest, in parallel), and the hits kept are those
        that match every word across title, artist and album, as the other sources' hits do
        (search/text.py: case, accents and a typo aside), best first."""
        found = await self._searched(username, connection, query, count)
        typed = list({w.lower(): w for w in query.split() if fold(w)}.values())
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
        taken back, the results page opened), in any case. Never another listener's: their
        accounts may see other music. Its songs are kept by id, as remembered tracks (a song
        forgotten since asks again). Only a whole answer is kept: one that misses what a failed
        call would have added asks again next time, when the server may be well. The same
        search sent while one is under way waits for its answer (a double tap, the results
        page opened as the box's search is on its way)."""
        # Case aside, as servers match and as the kept hits are filtered ("Rock" is "rock");
        # accents and punctuation are the server's to read ("AC/DC" is not "ac dc").
        key = (username, connection.key, query.lower(), count)
        kept = self._searches.get(key)
        tracks = self.known(kept["tracks"]) if kept is not None else []
        if kept is not None and len(tracks) == len(kept["tracks"]):
            return {"tracks": tracks, "artists": list(kept["artists"]),
                    "albums": list(kept["albums"])}
        flight = self._flights.get(key)
        if flight is None:
            flight = self._flights[key] = _Flight(asyncio.create_task(
                self._search_kept(key, connection, query, count)))
            flight.task.add_done_callback(lambda task: self._landed(key, task))
        flight.waiting += 1
        try:
            found = await asyncio.shield(flight.task)
        finally:
            flight.waiting -= 1
            if not flight.waiting:  # no search waits any more (they gave up): stop asking
                flight.task.cancel()
        return {kind: list(hits) for kind, hits in found.items()}

    def _landed(self, key: Key, task: asyncio.Task[Hits]) -> None:
        """A search of the server ended: the next one finds its answer kept, or asks anew."""
        if key in self._flights and self._flights[key].task is task:
            del self._flights[key]

    async def _search_kept(self, key: Key, connection: Connection, query: str,
                           count: int) -> Hits:
        """`_search_one`'s answer, kept when whole (and not forgotten meanwhile)."""
        found, whole = await self._search_one(connection, query, count)
        flight = self._flights.get(key)
        if whole and flight is not None and flight.task is asyncio.current_task():
            self._searches[key] = {**found, "tracks": [t["id"] for t in found["tracks"]]}
        return found

    async def _search_one(self, connection: Connection, query: str,
                          count: int) -> tuple[dict[str, list[dict[str, Any]]], bool]:
        """The server's hits for the query, and whether they are whole (no call failed)."""
        key = connection.key
        answer = await connection.client.search(query, count)
        songs, whole = answer["songs"], True
        if answer["artists"] and len(songs) < count:
            try:
                songs += await self._artist_songs(connection, str(answer["artists"][0]["id"]),
                                                  SEARCH_ARTIST_ALBUMS)
            except SubsonicError:  # the title hits are still hits, shown but not kept
                whole = False
        tracks = {t["id"]: t for t in (self.remember(s, key) for s in songs) if t is not None}
        return {"tracks": list(tracks.values())[:count],
                "artists": [to_found_artist(a, key) for a in answer["artists"] if a.get("id")],
                "albums": [to_found_album(a, key) for a in answer["albums"] if a.get("id")]}, whole

    async def _artist_songs(self, connection: Connection, artist_id: str,
                            most: int = ARTIST_ALBUMS) -> list[dict[str, Any]]:
        """An artist's songs: `getArtist` for its albums, `getAlbum` for each (at most `most`,
        side by side as the listener's gate lets them: client.py)."""
        albums = (await connection.client.artist_albums(artist_id))["album"][:most]
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
            songs = await (self._artist_page_songs(connection, parsed[1], len(item) >= MAX_ID)
                           if kind == "artist" else connection.client.album_songs(parsed[1]))
        except SubsonicError as error:
            if error.unreachable or error.is_auth:
                raise
            return []  # the server has no such item (70), or cannot read the id (0, 10)
        tracks = (self.remember(s, connection.key) for s in songs)
        return list({t["id"]: t for t in tracks if t is not None}.values())

    async def _artist_page_songs(self, connection: Connection, artist_id: str,
                                 cut: bool) -> list[dict[str, Any]]:
        """The songs of the artist with this id; failing that, of the artist with this name:
        a song that carries no `artistId` gets an artist id made of the name (to_track),
        which `getArtist` does not know (`cut`: the id was cut to MAX_ID, so the name may be
        only the start of theirs)."""
        try:
            if songs := await self._artist_songs(connection, artist_id):
                return songs
        except SubsonicError as error:
            if error.unreachable or error.is_auth:
                raise
        return await self._songs_of_artist_named(connection, artist_id, cut)

    async def _songs_of_artist_named(self, connection: Connection, name: str,
                                     cut: bool) -> list[dict[str, Any]]:
        """`search3` for the name: the songs of its artist hit of that very name (`getArtist`,
        `getAlbum`), and its song hits by that artist (a server may match songs by artist)."""
        answer = await connection.client.search(name, ARTIST_NAME_HITS)
        wanted = fold(name)

        def named(value: Any) -> bool:
            folded = fold(str(value or ""))
            return folded.startswith(wanted) if cut else folded == wanted

        songs = [s for s in answer["songs"] if named(s.get("artist"))]
        artist = next((a for a in answer["artists"] if a.get("id") and a["id"] != name
                       and named(a.get("name"))), None)
        if artist is not None:
            songs += await self._artist_songs(connection, str(artist["id"]))
        return songs


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
