"""/v1/me/playlists and /v1/playlists/{id}(/items|/tracks): the listener's playlists, as the
Web API reference shapes them. Reading items needs `playlist-read-private` and, since 2024,
owning or collaborating on the playlist (403 otherwise)."""

from __future__ import annotations

from quart import Blueprint, jsonify
from quart.wrappers import Response

from .apiutil import ApiError, caller, catalog, check_id, int_param, links, require_scope, state
from .objects import Json, paging, track_object
from .state import Playlist

playlists = Blueprint("playlists", __name__)
_ADDED_AT = "2025-10-01T12:00:00Z"


def _owner(playlist: Playlist) -> Json:
    return {"external_urls": {"spotify": f"https://open.spotify.com/user/{playlist.owner_id}"},
            "href": f"{links().api}/users/{playlist.owner_id}", "id": playlist.owner_id,
            "type": "user", "uri": f"spotify:user:{playlist.owner_id}",
            "display_name": playlist.owner_name}


def _simple(playlist: Playlist) -> Json:
    ref = {"href": f"{links().api}/playlists/{playlist.id}/items",
           "total": len(playlist.track_ids)}
    first = catalog().tracks[playlist.track_ids[0]] if playlist.track_ids else None
    images = ([{"url": links().cover(catalog().albums[first.album_id], 640), "height": 640,
                "width": 640}] if first else [])
    return {"collaborative": playlist.collaborative, "description": playlist.description,
            "external_urls": {"spotify": f"https://open.spotify.com/playlist/{playlist.id}"},
            "href": f"{links().api}/playlists/{playlist.id}", "id": playlist.id,
            "images": images, "name": playlist.name, "owner": _owner(playlist),
            "public": playlist.public, "snapshot_id": f"snap-{len(playlist.track_ids)}",
            "items": ref, "tracks": ref, "type": "playlist",
            "uri": f"spotify:playlist:{playlist.id}"}


def _find(playlist_id: str) -> Playlist:
    check_id(playlist_id)
    for user in state().users.values():
        for playlist in user.playlists:
            if playlist.id == playlist_id:
                return playlist
    raise ApiError(404, "Resource not found")


@playlists.get("/me/playlists")
async def my_playlists() -> Response:
    require_scope("playlist-read-private")
    own = caller()[1].playlists
    limit, offset = int_param("limit", 20, 1, 50), int_param("offset", 0, 0, 100_000)
    return jsonify(paging([_simple(p) for p in own[offset:offset + limit]],
                          url=f"{links().api}/me/playlists", params={}, limit=limit,
                          offset=offset, total=len(own)))


@playlists.get("/playlists/<playlist_id>")
async def one_playlist(playlist_id: str) -> Response:
    return jsonify(_simple(_find(playlist_id)))


@playlists.get("/playlists/<playlist_id>/items")
@playlists.get("/playlists/<playlist_id>/tracks")
async def playlist_items(playlist_id: str) -> Response:
    require_scope("playlist-read-private")
    playlist = _find(playlist_id)
    _, user = caller()
    if playlist.owner_id != user.id and not playlist.collaborative:
        raise ApiError(403, "Forbidden")
    limit, offset = int_param("limit", 100, 1, 100), int_param("offset", 0, 0, None)
    items = []
    for track_id in playlist.track_ids[offset:offset + limit]:
        track = track_object(catalog().tracks[track_id], catalog(), links(),
                             previews=not state().new_app_mode)
        items.append({"added_at": _ADDED_AT, "added_by": _owner(playlist), "is_local": False,
                      "item": track, "track": track})
    return jsonify(paging(items, url=f"{links().api}/playlists/{playlist_id}/items", params={},
                          limit=limit, offset=offset, total=len(playlist.track_ids)))
