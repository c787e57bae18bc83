"""`/rest/<method>[.view]`: the Subsonic methods Encore uses, answered as the reference says.

One route dispatches by method name, so the run-time switches (latency, failures, redirects,
a broken proxy) and the request log apply to every method alike. Each handler takes the
request's values (query string, or the form body under the `formPost` extension) and the
signed-in account, and returns the payload of a successful `subsonic-response`.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from quart import Blueprint, redirect, request
from quart.wrappers import Response

from .catalog import SIMILAR_GENRES, Song, album_id3, child
from .media import cover_png, song_wav
from .protocol import (
    Fault,
    Values,
    authenticate,
    bool_param,
    failed,
    int_param,
    ok,
    required,
    state,
)
from .state import Account, Report, Request

rest = Blueprint("rest", __name__, url_prefix="/rest")
Handler = Callable[[Values, Account], Awaitable[dict[str, Any] | Response]]
HANDLERS: dict[str, Handler] = {}
PUBLIC = {"getOpenSubsonicExtensions"}  # must be reachable without signing in (reference)
BINARY = {"stream", "download", "getCoverArt"}


def method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        return handler
    return register


@rest.route("/<name>", methods=["GET", "POST"])
async def dispatch(name: str) -> Response:
    name = name.removesuffix(".view")
    emulator = state()
    switches = emulator.switches
    pairs = list(request.args.items(multi=True))
    if request.method == "POST":
        pairs += list((await request.form).items(multi=True))
    emulator.requests.append(Request(name, request.method, pairs, list(request.args)))
    if switches["latency_s"]:
        await asyncio.sleep(float(switches["latency_s"]))
    if switches["redirect_to"]:
        return redirect(str(switches["redirect_to"]), 302)  # type: ignore[return-value]
    if switches["http_status"]:
        return Response("<html><body>Bad Gateway</body></html>",
                        status=int(switches["http_status"]), content_type="text/html")
    values = Values(pairs)
    if values.get("f", "xml") != "json":
        return Response('<?xml version="1.0" encoding="UTF-8"?><subsonic-response '
                        'xmlns="http://subsonic.org/restapi" status="failed" version="'
                        f'{switches["api_version"]}"><error code="0" message="This emulator '
                        'answers f=json only"/></subsonic-response>',
                        content_type="text/xml; charset=utf-8")
    if request.method == "POST" and "formPost" not in switches["extensions"]:
        return Response("", status=405)
    handler = HANDLERS.get(name)
    try:
        if name == "getOpenSubsonicExtensions" and not switches["open_subsonic"]:
            raise Fault(0, "Unknown method", http_status=404)
        account = None if name in PUBLIC else authenticate(values)
        if switches["fail_code"] is not None and name not in PUBLIC and (
                switches["fail_methods"] is None or name in switches["fail_methods"]):
            raise Fault(int(switches["fail_code"]))
        if handler is None:
            raise Fault(0, "Unknown method", http_status=404)
        answer = await handler(values, account)  # type: ignore[arg-type]
    except Fault as fault:
        return failed(fault)
    return answer if isinstance(answer, Response) else ok(**answer)


def _song(values: Values, name: str = "id") -> Song:
    song = state().catalog.songs.get(required(values, name))
    if song is None:
        raise Fault(70, "Song not found")
    return song


def _child(song: Song, account: Account) -> dict[str, Any]:
    return child(song, starred_at=account.starred.get(song.id),
                 play_count=account.plays.get(song.id, 0))


def _children(songs: list[Song], account: Account) -> list[dict[str, Any]]:
    return [_child(s, account) for s in songs]


@method("ping")
async def ping(values: Values, account: Account) -> dict[str, Any]:
    return {}


@method("getLicense")
async def license_(values: Values, account: Account) -> dict[str, Any]:
    return {"license": {"valid": True}}


@method("getOpenSubsonicExtensions")
async def extensions(values: Values, account: Account | None) -> dict[str, Any]:
    return {"openSubsonicExtensions": [{"name": name, "versions": list(versions)}
                                       for name, versions in
                                       state().switches["extensions"].items()]}


@method("getRandomSongs")
async def random_songs(values: Values, account: Account) -> dict[str, Any]:
    size = int_param(values, "size", 10, 0, 500)
    songs = list(state().catalog.songs.values())
    if values.get("genre"):
        songs = [s for s in songs if s.genre.lower() == values["genre"].lower()]
    from_year, to_year = values.get("fromYear"), values.get("toYear")
    if from_year:
        songs = [s for s in songs if s.album.year >= int_param(values, "fromYear")]
    if to_year:
        songs = [s for s in songs if s.album.year <= int_param(values, "toYear")]
    picked = random.sample(songs, min(size, len(songs)))
    return {"randomSongs": {"song": _children(picked, account)}}


@method("getGenres")
async def genres(values: Values, account: Account) -> dict[str, Any]:
    catalog = state().catalog
    names = sorted({s.genre for s in catalog.songs.values()})
    return {"genres": {"genre": [
        {"value": g, "songCount": len(catalog.by_genre(g)),
         "albumCount": len({s.album.id for s in catalog.by_genre(g)})} for g in names]}}


@method("getSongsByGenre")
async def songs_by_genre(values: Values, account: Account) -> dict[str, Any]:
    genre = required(values, "genre")
    count = int_param(values, "count", 10, 0, 500)
    offset = int_param(values, "offset", 0, 0)
    songs = state().catalog.by_genre(genre)[offset: offset + count]
    return {"songsByGenre": {"song": _children(songs, account)}}


@method("getAlbumList2")
async def album_list2(values: Values, account: Account) -> dict[str, Any]:
    kind = required(values, "type")
    size = int_param(values, "size", 10, 0, 500)
    offset = int_param(values, "offset", 0, 0)
    catalog = state().catalog
    albums = list(catalog.albums.values())
    plays = {a.id: sum(account.plays.get(s, 0) for s in a.song_ids) for a in albums}
    if kind == "random":
        random.shuffle(albums)
    elif kind == "newest":
        albums.sort(key=lambda a: -a.year)
    elif kind in ("frequent", "highest"):
        albums = sorted((a for a in albums if plays[a.id]), key=lambda a: -plays[a.id])
    elif kind == "starred":
        albums = [a for a in albums if any(s in account.starred for s in a.song_ids)]
    elif kind == "alphabeticalByName":
        albums.sort(key=lambda a: a.name)
    elif kind == "byGenre":
        albums = [a for a in albums if a.genre.lower() == required(values, "genre").lower()]
    elif kind == "byYear":
        low, high = int_param(values, "fromYear"), int_param(values, "toYear")
        albums = [a for a in albums if min(low, high) <= a.year <= max(low, high)]
    elif kind != "recent":
        raise Fault(0, f"Unknown type {kind}")
    else:
        albums = []
    page = albums[offset: offset + size]
    return {"albumList2": {"album": [
        album_id3(a, sum(catalog.songs[s].duration for s in a.song_ids), plays[a.id])
        for a in page]}}


@method("getAlbum")
async def album(values: Values, account: Account) -> dict[str, Any]:
    catalog = state().catalog
    found = catalog.albums.get(required(values, "id"))
    if found is None:
        raise Fault(70, "Album not found")
    songs = [catalog.songs[s] for s in found.song_ids]
    return {"album": album_id3(found, sum(s.duration for s in songs))
            | {"song": _children(songs, account)}}


@method("getArtist")
async def artist(values: Values, account: Account) -> dict[str, Any]:
    catalog = state().catalog
    found = catalog.artists.get(required(values, "id"))
    if found is None:
        raise Fault(70, "Artist not found")
    albums = [a for a in catalog.albums.values() if a.artist.id == found.id]
    return {"artist": _artist_id3(found, len(albums)) | {"album": [
        album_id3(a, sum(catalog.songs[s].duration for s in a.song_ids)) for a in albums]}}


@method("search3")
async def search3(values: Values, account: Account) -> dict[str, Any]:
    """Names and titles containing the query, case-folded (as Supysonic; Navidrome matches
    more), each kind paged by its own count and offset."""
    query = required(values, "query").strip('"').casefold()
    catalog = state().catalog

    def page(kind: str, items: list[Any]) -> list[Any]:
        offset = int_param(values, f"{kind}Offset", 0, 0)
        return items[offset: offset + int_param(values, f"{kind}Count", 20, 0, 500)]

    artists = [a for a in catalog.artists.values() if query in a.name.casefold()]
    albums = [a for a in catalog.albums.values() if query in a.name.casefold()]
    songs = [s for s in catalog.songs.values() if query in s.title.casefold()]
    return {"searchResult3": {
        "artist": [_artist_id3(a, sum(b.artist.id == a.id for b in catalog.albums.values()))
                   for a in page("artist", artists)],
        "album": [album_id3(a, sum(catalog.songs[s].duration for s in a.song_ids))
                  for a in page("album", albums)],
        "song": _children(page("song", songs), account)}}


def _artist_id3(artist: Any, albums: int) -> dict[str, Any]:
    return {"id": artist.id, "name": artist.name, "albumCount": albums}


@method("getPlaylists")
async def playlists(values: Values, account: Account) -> dict[str, Any]:
    catalog = state().catalog
    return {"playlists": {"playlist": [
        {"id": pid, "name": name, "owner": account.username, "public": False,
         "songCount": len(songs), "duration": sum(catalog.songs[s].duration for s in songs),
         "created": "2025-01-01T00:00:00+00:00", "changed": "2025-01-01T00:00:00+00:00"}
        for pid, (name, songs) in account.playlists.items()]}}


@method("getPlaylist")
async def playlist(values: Values, account: Account) -> dict[str, Any]:
    catalog = state().catalog
    found = account.playlists.get(required(values, "id"))
    if found is None:
        raise Fault(70, "Playlist not found")
    name, song_ids = found
    songs = [catalog.songs[s] for s in song_ids]
    return {"playlist": {"id": values.get("id"), "name": name, "owner": account.username,
                         "public": False, "songCount": len(songs),
                         "duration": sum(s.duration for s in songs),
                         "created": "2025-01-01T00:00:00+00:00",
                         "changed": "2025-01-01T00:00:00+00:00",
                         "entry": _children(songs, account)}}


@method("getSong")
async def song(values: Values, account: Account) -> dict[str, Any]:
    return {"song": _child(_song(values), account)}


@method("getSimilarSongs2")
async def similar_songs2(values: Values, account: Account) -> dict[str, Any]:
    catalog = state().catalog
    artist = catalog.artists.get(required(values, "id"))
    if artist is None:
        raise Fault(70, "Artist not found")
    count = int_param(values, "count", 50, 0)
    genres = SIMILAR_GENRES.get(artist.genre, (artist.genre,))
    songs = [s for s in catalog.songs.values() if s.genre in genres]
    songs.sort(key=lambda s: (s.artist.id == artist.id, genres.index(s.genre), s.id))
    return {"similarSongs2": {"song": _children(songs[:count], account)}}


@method("getTopSongs")
async def top_songs(values: Values, account: Account) -> dict[str, Any]:
    catalog = state().catalog
    artist = catalog.artist_named(required(values, "artist"))
    count = int_param(values, "count", 50, 0)
    songs = [] if artist is None else [s for s in catalog.songs.values() if s.artist == artist]
    songs.sort(key=lambda s: (-account.plays.get(s.id, 0), s.album.year, s.track))
    return {"topSongs": {"song": _children(songs[:count], account)}}


@method("getSonicSimilarTracks")
async def sonic_similar(values: Values, account: Account) -> dict[str, Any]:
    if "sonicSimilarity" not in state().switches["extensions"]:
        raise Fault(0, "Unknown method", http_status=404)
    seed = _song(values)
    count = int_param(values, "count", 10, 0)

    def distance(s: Song) -> float:
        return ((s.sonic[0] - seed.sonic[0]) ** 2 + (s.sonic[1] - seed.sonic[1]) ** 2) ** 0.5

    others = sorted((s for s in state().catalog.songs.values() if s.id != seed.id), key=distance)
    return {"sonicMatch": [{"entry": _child(s, account),
                            "similarity": round(max(0.0, 1 - distance(s) / 1.5), 4)}
                           for s in others[:count]]}


@method("scrobble")
async def scrobble(values: Values, account: Account) -> dict[str, Any]:
    ids = values.all("id") or [required(values, "id")]
    when = int_param(values, "time", int(time.time() * 1000), 0)
    submission = bool_param(values, "submission", True)
    for song_id in ids:
        if song_id not in state().catalog.songs:
            raise Fault(70, "Song not found")
        state().record_scrobble(account, song_id, when, submission)
    return {}


@method("star")
async def star(values: Values, account: Account) -> dict[str, Any]:
    for song_id in values.all("id") or [required(values, "id")]:
        if song_id not in state().catalog.songs:
            raise Fault(70, "Song not found")
        account.starred.setdefault(song_id, state().now())
    return {}


@method("unstar")
async def unstar(values: Values, account: Account) -> dict[str, Any]:
    for song_id in values.all("id") or [required(values, "id")]:
        account.starred.pop(song_id, None)
    return {}


@method("getStarred2")
async def starred2(values: Values, account: Account) -> dict[str, Any]:
    songs = [state().catalog.songs[s] for s in account.starred]
    return {"starred2": {"song": _children(songs, account)}}


@method("reportPlayback")
async def report_playback(values: Values, account: Account) -> dict[str, Any]:
    emulator = state()
    if "playbackReport" not in emulator.switches["extensions"]:
        raise Fault(0, "Unknown method", http_status=404)
    song = _song(values, "mediaId")
    if required(values, "mediaType") not in ("song", "podcast"):
        raise Fault(0, "mediaType: song or podcast")
    position = int_param(values, "positionMs", None, 0)
    play_state = required(values, "state")
    if play_state not in ("starting", "playing", "paused", "stopped"):
        raise Fault(0, "state: starting, playing, paused or stopped")
    ignore = bool_param(values, "ignoreScrobble", False)
    emulator.reports.append(Report(account.username, song.id, play_state, position, ignore))
    if play_state == "stopped":
        emulator.now_playing.pop(account.username, None)
    else:
        emulator.now_playing[account.username] = (song.id, time.time(), play_state)
    return {}


@method("getNowPlaying")
async def now_playing(values: Values, account: Account) -> dict[str, Any]:
    emulator = state()
    entries = []
    for username, (song_id, at, play_state) in emulator.now_playing.items():
        entries.append(_child(emulator.catalog.songs[song_id], emulator.accounts[username])
                       | {"username": username, "minutesAgo": int((time.time() - at) // 60),
                          "playerId": 1, "playerName": "encore", "state": play_state})
    return {"nowPlaying": {"entry": entries}}


@method("stream")
async def stream(values: Values, account: Account) -> Response:
    song = _song(values)
    target = values.get("format", "raw")
    if target not in ("raw", "wav"):
        raise Fault(0, f"No way to transcode from wav to {target}")
    data = song_wav(song.tone_hz, song.duration)
    response = Response(data, content_type="audio/wav")
    response.headers["Cache-Control"] = "no-cache"
    state().now_playing[account.username] = (song.id, time.time(), "playing")
    if request.method == "POST":
        return _post_range(response, data)
    return await response.make_conditional(request, accept_ranges=True,
                                           complete_length=len(data))


def _post_range(response: Response, data: bytes) -> Response:
    """A POST's Range (formPost): honoured as Navidrome does (Go's http.ServeContent looks at
    no method), or, with the switch `post_ranges` off, ignored as RFC 9110 allows and
    Werkzeug-based servers (Supysonic) do: the whole file, 200."""
    response.headers["Accept-Ranges"] = "bytes"
    wanted = request.range
    if not state().switches["post_ranges"] or wanted is None:
        return response
    span = wanted.range_for_length(len(data))
    if span is None:
        return Response("", status=416, headers={"Content-Range": f"bytes */{len(data)}"})
    start, stop = span
    partial = Response(data[start:stop], status=206, content_type=response.content_type)
    partial.headers["Content-Range"] = f"bytes {start}-{stop - 1}/{len(data)}"
    partial.headers["Accept-Ranges"] = "bytes"
    return partial


@method("getCoverArt")
async def cover_art(values: Values, account: Account) -> Response:
    cover_id = required(values, "id")
    catalog = state().catalog
    if not any(a.cover_art == cover_id for a in catalog.albums.values()):
        raise Fault(70, "Cover art not found")
    size = int_param(values, "size", 300, 16, 1200)
    response = Response(cover_png(cover_id, min(size, 600)), content_type="image/png")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
