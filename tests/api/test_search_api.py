"""Search, artist and album pages through the API, on both stores: prefix, accent- and
typo-tolerant search over the sources the listener's feed plays (the demo catalog while there is
no other, else the store's catalog of local tracks)."""

from __future__ import annotations

import time
from typing import Any

from backend.app_types import EncoreApp
from backend.library.records import album_id, artist_id
from backend.store.catalog import CatalogTrack
from tests.api.conftest import error_of
from tests.conftest import ApiClient, AuthActions


def local(n: int, title: str, artist: str, album: str, number: int = 1) -> CatalogTrack:
    track_id = f"local-{n:040x}"
    doc = {"id": track_id, "uri": f"encore:local:{track_id}", "source": "local", "name": title,
           "artists": [{"id": artist_id(artist), "name": artist}],
           "album": {"id": album_id(artist, album), "name": album, "images": []},
           "genres": ["pop"], "explicit": False, "duration_ms": 200_000,
           "audio_url": f"/api/tracks/{track_id}/audio", "track_number": number, "features": {}}
    return CatalogTrack(track_id, "local", doc, f"0/{n}.flac",
                        updated_at=int(time.time() * 1000))


LIBRARY = [
    local(1, "Halo", "Beyoncé", "I Am... Sasha Fierce", 2),
    local(2, "If I Were a Boy", "Beyoncé", "I Am... Sasha Fierce", 1),
    local(3, "Hoppípolla", "Sigur Rós", "Takk...", 1),
    local(4, "Glósóli", "Sigur Rós", "Takk...", 2),
    local(5, "Nocturne in the Rain", "Rosalind Ashdown", "Evenings", 1),
]


async def find(client: ApiClient, q: str, **params: Any) -> dict[str, Any]:
    answer = await client.get("/api/search", query_string={"q": q, **params})
    assert answer.status_code == 200, await answer.get_data(as_text=True)
    body: dict[str, Any] = await answer.get_json()
    return body


async def with_library(app: EncoreApp, auth: AuthActions) -> None:
    await auth.signup()
    await app.store.put_catalog_tracks(LIBRARY)
    app.search.refresh()  # what a scan does on this node
    app.sources.catalogs["local"].changed()


async def test_prefix_accent_and_typo_tolerant(app: EncoreApp, client: ApiClient,
                                               auth: AuthActions) -> None:
    await with_library(app, auth)
    beyonce = await find(client, "beyonce")
    assert [a["name"] for a in beyonce["artists"]] == ["Beyoncé"]
    assert {t["name"] for t in beyonce["tracks"]} == {"Halo", "If I Were a Boy"}
    assert beyonce["artists"][0]["id"] == artist_id("Beyoncé")
    sigur = await find(client, "sigur ros")
    assert sigur["artists"][0]["name"] == "Sigur Rós"
    assert {t["name"] for t in sigur["tracks"]} == {"Hoppípolla", "Glósóli"}
    assert sigur["albums"][0]["name"] == "Takk..."
    assert (await find(client, "SIGUR RÓS"))["artists"][0]["name"] == "Sigur Rós"
    nocturn = await find(client, "nocturn", limit=50)  # as typed so far
    names = [t["name"] for t in nocturn["tracks"]]
    assert names and all("nocturne" in f"{t['name']} {t['album']['name']}".lower()
                         for t in nocturn["tracks"])  # its name, or its album's
    assert "nocturne" in names[0].lower()
    assert names == ["Nocturne in the Rain"]  # the feed plays the local library: not the demo's
    typo = await find(client, "nocturen", limit=50)
    assert [t["name"] for t in typo["tracks"]][:5] == names[:5]
    assert (await find(client, "hoppipola"))["tracks"][0]["name"] == "Hoppípolla"
    assert (await find(client, "zzqxj"))["tracks"] == []


async def test_search_answers_from_the_sources_the_feed_plays(app: EncoreApp, client: ApiClient,
                                                              auth: AuthActions) -> None:
    """One decision for both (MusicSources.playing): demo songs in search only while the feed
    plays the demo catalog; with a local library, the library's songs and nothing else."""
    await auth.signup()
    demo_only = await find(client, "nocturne", limit=50)
    assert demo_only["tracks"] and {t["source"] for t in demo_only["tracks"]} == {"demo"}
    assert {a["source"] for a in (await find(client, "a", types="artist"))["artists"]} == {"demo"}

    await app.store.put_catalog_tracks(LIBRARY)
    app.search.refresh()
    app.sources.catalogs["local"].changed()
    feed = await (await client.get("/api/feed?limit=50")).get_json()
    assert {t["source"] for t in feed["tracks"]} == {"local"}
    for q in ("nocturne", "sigur", "beyonce", "a", "ro"):
        found = await find(client, q, limit=50)
        sources = {t["source"] for t in found["tracks"]} | {
            a["source"] for a in found["artists"]} | {a["source"] for a in found["albums"]}
        assert sources <= {"local"}, (q, found)
    assert [t["name"] for t in (await find(client, "nocturne"))["tracks"]] == [
        "Nocturne in the Rain"]


async def test_types_limit_and_what_a_hit_carries(app: EncoreApp, client: ApiClient,
                                                  auth: AuthActions) -> None:
    await with_library(app, auth)
    only = await find(client, "sigur", types="artist")
    assert only["tracks"] == [] and only["albums"] == [] and only["artists"]
    few = await find(client, "sigur", limit=1)  # two songs match
    assert len(few["tracks"]) == 1
    halo = (await find(client, "halo beyonce"))["tracks"][0]
    assert halo["name"] == "Halo" and halo["audio_url"] and halo["album"]["name"]
    assert (await find(client, "   "))["tracks"] == []


async def test_a_track_added_to_the_catalog_is_found(app: EncoreApp, client: ApiClient,
                                                     auth: AuthActions) -> None:
    await with_library(app, auth)
    assert (await find(client, "wonderwall"))["tracks"] == []
    await app.store.put_catalog_tracks([local(9, "Wonderwall", "Oasis", "Morning Glory")])
    app.search.refresh()  # what a scan does on this node (others look again within minutes)
    assert [t["name"] for t in (await find(client, "wonderwal"))["tracks"]] == ["Wonderwall"]
    gone = local(9, "Wonderwall", "Oasis", "Morning Glory")
    await app.store.set_catalog_present([gone.id], False, int(time.time() * 1000) + 5)
    app.search.refresh()
    assert (await find(client, "wonderwall"))["tracks"] == []


async def test_artist_and_album_pages(app: EncoreApp, client: ApiClient,
                                      auth: AuthActions) -> None:
    await with_library(app, auth)
    page = await (await client.get("/api/artists/demo-ar-001")).get_json()
    assert page["tracks"] and all(
        any(a["id"] == "demo-ar-001" for a in t["artists"]) for t in page["tracks"])
    assert page["name"] == page["tracks"][0]["artists"][0]["name"]
    assert sum(a["tracks"] for a in page["albums"]) == len(page["tracks"])
    album = page["albums"][0]
    shown = await (await client.get(f"/api/albums/{album['id']}")).get_json()
    assert shown["name"] == album["name"] and len(shown["tracks"]) == album["tracks"]
    assert all(t["album"]["id"] == album["id"] for t in shown["tracks"])

    takk = await (await client.get(f"/api/albums/{album_id('Sigur Rós', 'Takk...')}")).get_json()
    assert [t["name"] for t in takk["tracks"]] == ["Hoppípolla", "Glósóli"]  # track order
    assert takk["artists"] == [{"id": artist_id("Sigur Rós"), "name": "Sigur Rós"}]
    sigur = await (await client.get(f"/api/artists/{artist_id('Sigur Rós')}")).get_json()
    assert sigur["name"] == "Sigur Rós" and len(sigur["tracks"]) == 2

    for path, code in (("/api/artists/demo-ar-999", "artist_not_found"),
                       ("/api/albums/demo-al-9999", "album_not_found"),
                       ("/api/artists/local-ar-nobody", "artist_not_found"),
                       ("/api/albums/%01", "album_not_found")):
        assert (await error_of(await client.get(path), 404))["code"] == code


async def test_bad_searches_say_what_is_wrong(client: ApiClient, auth: AuthActions) -> None:
    assert (await error_of(await client.get("/api/search?q=x"), 401))["code"] == "not_signed_in"
    assert (await error_of(await client.get("/api/artists/demo-ar-001"), 401))["code"] == \
        "not_signed_in"
    await auth.signup()
    for query, words in (("", "q"), ("q=x&types=songs", "types"), ("q=x&limit=0", "limit"),
                         ("q=x&limit=51", "limit"), ("q=" + "x" * 201, "q"),
                         ("q=x&colour=blue", "colour")):
        error = await error_of(await client.get(f"/api/search?{query}"), 422)
        assert words in error["message"], (query, error)
