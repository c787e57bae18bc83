"""api.spotify.com/v1: the gate (outage, token, rate limit) and the catalog and library routes.
Player and playlist routes live in player.py and playlists.py, nested under this blueprint so
the gate covers them too."""

from __future__ import annotations

import random
import re

from quart import Blueprint, g, jsonify, request
from quart.wrappers import Response

from .apiutil import (
    ApiError,
    authenticate,
    caller,
    catalog,
    check_id,
    forbid_for_new_apps,
    id_list,
    int_param,
    links,
    require_scope,
    state,
    track_or_404,
)
from .catalog import GENRES, Track
from .objects import (
    Json,
    audio_features,
    full_artist,
    paging,
    simple_album,
    track_object,
)
from .player import player
from .playlists import playlists
from .state import TIME_RANGES

api = Blueprint("api", __name__, url_prefix="/v1")
api.register_blueprint(player)
api.register_blueprint(playlists)

SEARCH_TYPES = ("album", "artist", "playlist", "track", "show", "episode", "audiobook")
_FILTER = re.compile(r'(\w+):(?:"([^"]*)"|(\S+))')
_FEATURES = ("acousticness", "danceability", "energy", "instrumentalness", "key", "liveness",
             "loudness", "mode", "speechiness", "tempo", "time_signature", "valence",
             "duration_ms", "popularity")


@api.before_request
async def gate() -> None:
    if request.method == "OPTIONS":  # CORS preflight: answered by the app, no token needed
        return
    emulator = state()
    emulator.counters["api_requests"] += 1
    if emulator.take_failure():
        raise ApiError(503, "Service unavailable")
    g.spotify_token = authenticate(request.headers.get("Authorization"))
    retry_after = emulator.take_rate_slot()
    if retry_after is not None:
        emulator.counters["rate_limited"] += 1
        raise ApiError(429, "API rate limit exceeded", headers={"Retry-After": str(retry_after)})
    emulator.counters[f"{request.method} {request.path}"] += 1


def _track(track: Track) -> Json:
    return track_object(track, catalog(), links(), previews=not state().new_app_mode)


# -- the user and their library ---------------------------------------------------------------
@api.get("/me")
async def me() -> Response:
    token, user = caller()
    scopes = token.scope.split()
    body: Json = {
        "account_id": f"acc-{user.id}",
        "display_name": user.display_name,
        "external_urls": {"spotify": f"https://open.spotify.com/user/{user.id}"},
        "followers": {"href": None, "total": 3},
        "href": f"{links().api}/users/{user.id}",
        "id": user.id,
        "images": [],
        "type": "user",
        "uri": f"spotify:user:{user.id}",
    }
    if "user-read-email" in scopes:
        body["email"] = user.email
    if "user-read-private" in scopes:
        body |= {"country": user.country, "product": user.product,
                 "explicit_content": {"filter_enabled": False, "filter_locked": False}}
    return jsonify(body)


def _top_ids() -> tuple[list[str], str]:
    require_scope("user-top-read")
    time_range = request.args.get("time_range", "medium_term")
    if time_range not in TIME_RANGES:
        raise ApiError(400, "Invalid time range")
    return caller()[1].top[time_range], time_range


@api.get("/me/top/tracks")
async def top_tracks() -> Response:
    ids, time_range = _top_ids()
    limit, offset = int_param("limit", 20, 1, 50), int_param("offset", 0, 0, None)
    items = [_track(catalog().tracks[i]) for i in ids[offset:offset + limit]]
    return jsonify(paging(items, url=f"{links().api}/me/top/tracks",
                          params={"time_range": time_range}, limit=limit, offset=offset,
                          total=len(ids)))


@api.get("/me/top/artists")
async def top_artists() -> Response:
    ids, time_range = _top_ids()
    artist_ids = list(dict.fromkeys(catalog().tracks[i].artist_ids[0] for i in ids))
    limit, offset = int_param("limit", 20, 1, 50), int_param("offset", 0, 0, None)
    items = [full_artist(catalog().artists[a], links()) for a in artist_ids[offset:offset + limit]]
    return jsonify(paging(items, url=f"{links().api}/me/top/artists",
                          params={"time_range": time_range}, limit=limit, offset=offset,
                          total=len(artist_ids)))


@api.get("/me/tracks")
async def saved_tracks() -> Response:
    require_scope("user-library-read")
    saved = caller()[1].saved
    limit, offset = int_param("limit", 20, 1, 50), int_param("offset", 0, 0, None)
    items = [{"added_at": at, "track": _track(catalog().tracks[i])}
             for at, i in saved[offset:offset + limit]]
    return jsonify(paging(items, url=f"{links().api}/me/tracks", params={}, limit=limit,
                          offset=offset, total=len(saved)))


# -- catalog ------------------------------------------------------------------------------------
@api.get("/tracks")
async def several_tracks() -> Response:
    tracks = catalog().tracks
    return jsonify({"tracks": [_track(tracks[i]) if i in tracks else None
                               for i in id_list("ids", 50)]})


@api.get("/tracks/<track_id>")
async def one_track(track_id: str) -> Response:
    return jsonify(_track(track_or_404(track_id)))


@api.get("/artists")
async def several_artists() -> Response:
    artists = catalog().artists
    return jsonify({"artists": [full_artist(artists[i], links()) if i in artists else None
                                for i in id_list("ids", 50)]})


@api.get("/artists/<artist_id>")
async def one_artist(artist_id: str) -> Response:
    artist = catalog().artists.get(check_id(artist_id))
    if artist is None:
        raise ApiError(404, "Resource not found")
    return jsonify(full_artist(artist, links()))


@api.get("/albums/<album_id>")
async def one_album(album_id: str) -> Response:
    cat = catalog()
    album = cat.albums.get(check_id(album_id))
    if album is None:
        raise ApiError(404, "Resource not found")
    tracks = sorted((t for t in cat.tracks.values() if t.album_id == album.id),
                    key=lambda t: (t.disc_number, t.track_number))
    items = [{k: v for k, v in _track(t).items() if k not in ("album", "popularity",
                                                                "external_ids")}
             for t in tracks]
    return jsonify(simple_album(album, cat, links()) | {
        "tracks": paging(items, url=f"{links().api}/albums/{album.id}/tracks", params={},
                         limit=50, offset=0, total=len(items)),
        "copyrights": [{"text": f"(C) {album.release_date[:4]} Emulated Records", "type": "C"}],
        "external_ids": {"upc": album.upc}, "genres": [], "label": "Emulated Records",
        "popularity": max((t.popularity for t in tracks), default=0)})


@api.get("/artists/<artist_id>/related-artists")
async def related_artists(artist_id: str) -> Response:
    forbid_for_new_apps()
    artist = catalog().artists.get(check_id(artist_id))
    if artist is None:
        raise ApiError(404, "Resource not found")
    related = [a for a in catalog().artists.values()
               if a.id != artist.id and a.genres[0] == artist.genres[0]][:20]
    return jsonify({"artists": [full_artist(a, links()) for a in related]})


@api.get("/audio-features")
async def several_audio_features() -> Response:
    forbid_for_new_apps()
    tracks = catalog().tracks
    return jsonify({"audio_features": [audio_features(tracks[i], links()) if i in tracks else None
                                       for i in id_list("ids", 100)]})


@api.get("/audio-features/<track_id>")
async def one_audio_features(track_id: str) -> Response:
    forbid_for_new_apps()
    return jsonify(audio_features(track_or_404(track_id), links()))


@api.get("/audio-analysis/<track_id>")
async def audio_analysis(track_id: str) -> Response:
    forbid_for_new_apps()
    f = track_or_404(track_id).features
    seconds = int(f["duration_ms"]) / 1000
    summary = {k: f[k] for k in ("tempo", "key", "mode", "time_signature", "loudness")}
    return jsonify({"meta": {"analyzer_version": "emulator", "status_code": 0},
                    "track": {"duration": seconds, **summary},
                    "bars": [], "beats": [], "sections": [{"start": 0.0, "duration": seconds,
                                                           "confidence": 1.0, **summary}],
                    "segments": [], "tatums": []})


# -- search -------------------------------------------------------------------------------------
def _norm(text: str) -> str:
    return re.sub(r"[\s_-]+", "-", text.strip().lower())


def _matches(track: Track, words: list[str], filters: dict[str, str]) -> bool:
    cat = catalog()
    album = cat.albums[track.album_id]
    artists = [cat.artists[a].name.lower() for a in track.artist_ids]
    text = " ".join([track.name.lower(), album.name.lower(), *artists])
    if not all(w in text for w in words):
        return False
    for key, value in filters.items():
        value_l = value.lower()
        if key == "artist" and not any(value_l in a for a in artists):
            return False
        if key == "track" and value_l not in track.name.lower():
            return False
        if key == "album" and value_l not in album.name.lower():
            return False
        if key == "genre" and _norm(value) not in {_norm(x) for x in cat.track_genres(track)}:
            return False
        if key == "isrc" and value.upper() != track.isrc:
            return False
        if key == "year":
            low, _, high = value.partition("-")
            year = int(album.release_date[:4])
            if not (low.isdigit() and int(low) <= year <= int(high if high.isdigit() else low)):
                return False
    return True


@api.get("/search")
async def search() -> Response:
    q = request.args.get("q", "").strip()
    if not q:
        raise ApiError(400, "No search query")
    if "type" not in request.args:
        raise ApiError(400, "Missing parameter type")
    types = [t for t in request.args["type"].split(",") if t]
    for t in types:
        if t not in SEARCH_TYPES:
            raise ApiError(400, f"Bad search type field {t}")
    if not types:
        raise ApiError(400, "Missing parameter type")
    limit, offset = int_param("limit", 5, 1, 10), int_param("offset", 0, 0, 1000)
    filters = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
               for m in _FILTER.finditer(q)}
    words = [w.lower() for w in _FILTER.sub(" ", q).split()]
    params = {"query": q, "type": ",".join(types)}
    answer: Json = {}
    for t in types:
        found: list[Json] = []
        total = 0
        if t == "track":
            hits = sorted((tr for tr in catalog().tracks.values() if _matches(tr, words, filters)),
                          key=lambda tr: (-tr.popularity, tr.id))
            total, found = len(hits), [_track(tr) for tr in hits[offset:offset + limit]]
        elif t == "artist":
            genre = filters.get("genre")
            artists = sorted((a for a in catalog().artists.values()
                              if all(w in a.name.lower() for w in words)
                              and (genre is None or _norm(genre) in map(_norm, a.genres))),
                             key=lambda a: (-a.popularity, a.id))
            total = len(artists)
            found = [full_artist(a, links()) for a in artists[offset:offset + limit]]
        answer[f"{t}s"] = paging(found, url=f"{links().api}/search", params=params, limit=limit,
                                 offset=offset, total=total)
    return jsonify(answer)


# -- recommendations ----------------------------------------------------------------------------
def _seed_list(name: str) -> list[str]:
    return [s for s in request.args.get(name, "").split(",") if s]


@api.get("/recommendations/available-genre-seeds")
async def genre_seeds() -> Response:
    forbid_for_new_apps()
    return jsonify({"genres": GENRES})


@api.get("/recommendations")
async def recommendations() -> Response:
    forbid_for_new_apps()
    cat = catalog()
    seed_artists, seed_genres, seed_tracks = (
        _seed_list("seed_artists"), _seed_list("seed_genres"), _seed_list("seed_tracks"))
    if not 1 <= len(seed_artists) + len(seed_genres) + len(seed_tracks) <= 5:
        raise ApiError(400, "Invalid request: between 1 and 5 seeds (artists, genres, tracks)")
    limit = int_param("limit", 20, 1, 100)
    seeds: list[tuple[str, str, set[str]]] = []  # (type, id, genres it points at)
    for a in seed_artists:
        artist = cat.artists.get(check_id(a))
        if artist is None:
            raise ApiError(400, f"Invalid artist seed: {a}")
        seeds.append(("artist", a, set(artist.genres)))
    for t in seed_tracks:
        seeds.append(("track", t, cat.track_genres(track_or_404(t))))
    for genre in seed_genres:
        if genre not in GENRES:
            raise ApiError(400, f"Invalid genre seed: {genre}")
        seeds.append(("genre", genre, {genre}))
    ranges = _feature_filters()
    pool = [t for t in cat.tracks.values() if t.id not in seed_tracks]
    per_seed = []
    for kind, seed_id, genres in seeds:
        initial = [t for t in pool if cat.track_genres(t) & genres]
        kept = [t for t in initial if _within(t, ranges)]
        per_seed.append((kind, seed_id, initial, kept))
    candidates = list({t.id: t for *_, kept in per_seed for t in kept}.values())
    rng = random.Random(request.query_string)  # same question, same answer
    targets = {k[7:]: float(v) for k, v in request.args.items()
               if k.startswith("target_") and k[7:] in _FEATURES}
    candidates.sort(key=lambda t: (_distance(t, targets), -t.popularity * rng.random()))
    answer_seeds = [{
        "afterFilteringSize": len(kept), "afterRelinkingSize": len(kept),
        "href": None if kind == "genre" else f"{links().api}/{kind}s/{seed_id}",
        "id": seed_id, "initialPoolSize": len(initial), "type": kind,
    } for kind, seed_id, initial, kept in per_seed]
    return jsonify({"seeds": answer_seeds, "tracks": [_track(t) for t in candidates[:limit]]})


def _value(track: Track, name: str) -> float:
    return float(track.popularity if name == "popularity" else track.features[name])


def _feature_filters() -> dict[str, tuple[float, float]]:
    ranges: dict[str, tuple[float, float]] = {}
    for name in _FEATURES:
        try:
            low = float(request.args.get(f"min_{name}", "-inf"))
            high = float(request.args.get(f"max_{name}", "inf"))
            for key in ("target", "min", "max"):
                float(request.args.get(f"{key}_{name}", 0))
        except ValueError:
            raise ApiError(400, f"Invalid value for {name}") from None
        ranges[name] = (low, high)
    return ranges


def _within(track: Track, ranges: dict[str, tuple[float, float]]) -> bool:
    return all(low <= _value(track, name) <= high for name, (low, high) in ranges.items())


def _distance(track: Track, targets: dict[str, float]) -> float:
    scale = {"tempo": 100.0, "loudness": 30.0, "key": 12.0, "duration_ms": 300_000.0,
             "popularity": 100.0, "time_signature": 4.0}
    return sum(abs(_value(track, k) - v) / scale.get(k, 1.0) for k, v in targets.items())
