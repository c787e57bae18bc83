"""Search and artist/album pages with Spotify connected (the emulator over real HTTP): its
hits come after the local ones, and its artists and albums have pages too."""

from __future__ import annotations

from typing import Any

from tests.api.test_playlist_import import app_config, emulator  # noqa: F401
from tests.backend.test_spotify import connect
from tests.conftest import ApiClient, AuthActions
from tests.fakes.spotify.runner import RunningEmulator


async def test_spotify_hits_follow_the_local_ones(client: ApiClient, auth: AuthActions,
                                                 emulator: RunningEmulator) -> None:  # noqa: F811
    await auth.signup()
    catalog = emulator.state.catalog
    track = next(iter(catalog.tracks.values()))
    word = track.name.split()[0]
    before = await (await client.get("/api/search", query_string={"q": word})).get_json()
    assert all(t["source"] != "spotify" for t in before["tracks"])
    await connect(client)
    after = await (await client.get("/api/search", query_string={"q": word})).get_json()
    sources = [t["source"] for t in after["tracks"]]
    assert "spotify" in sources
    assert sources == sorted(sources, key=lambda s: s == "spotify")  # local first
    spotify_track = next(t for t in after["tracks"] if t["source"] == "spotify")
    assert word.lower() in (spotify_track["name"] + " " + spotify_track["album"]["name"] + " "
                            + " ".join(a["name"] for a in spotify_track["artists"])).lower()
    # a Spotify hit can be played and recorded: the server knows the track now
    history = await client.post("/api/interactions", json={"interactions": [{
        "id": "7b0c5a0e-2f6e-4c1e-9d1a-0a0b0c0d0e0f", "track_id": spotify_track["id"],
        "type": "finished", "position_ms": 1000, "duration_ms": 1000,
        "at": 1_750_000_000_000}]})
    assert history.status_code == 200
    emulator.state.set(fail_all=True)
    down = await (await client.get("/api/search", query_string={"q": word})).get_json()
    assert down["notice"] and "Spotify" in down["notice"]
    assert all(t["source"] != "spotify" for t in down["tracks"])


async def test_spotify_artist_and_album_pages(client: ApiClient, auth: AuthActions,
                                              emulator: RunningEmulator) -> None:  # noqa: F811
    await auth.signup()
    await connect(client)
    catalog = emulator.state.catalog
    track = next(iter(catalog.tracks.values()))
    artist_id = track.artist_ids[0]
    page: dict[str, Any] = await (await client.get(f"/api/artists/{artist_id}")).get_json()
    assert page["name"] == catalog.artists[artist_id].name and page["source"] == "spotify"
    assert page["tracks"] and all(any(a["id"] == artist_id for a in t["artists"])
                                  for t in page["tracks"])
    album = await (await client.get(f"/api/albums/{track.album_id}")).get_json()
    assert album["name"] == catalog.albums[track.album_id].name
    assert track.id in [t["id"] for t in album["tracks"]]
    missing = await client.get("/api/albums/" + "0" * 22)
    assert missing.status_code == 404
