"""The emulator's answers validated against the public Web API OpenAPI description
(../shared/reference/spotify-web-api.openapi.yml), so Encore's client meets Spotify's shapes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.spotify import RunningEmulator, run_emulator
from tests.fakes.spotify.state import DEFAULT_SCOPES

REFERENCE = (Path(__file__).resolve().parents[2].parent / "shared" / "reference"
             / "spotify-web-api.openapi.yml")

if not REFERENCE.exists():
    print(f"OpenAPI reference not found at {REFERENCE}: conformance tests skipped")
    pytest.skip(f"no OpenAPI reference at {REFERENCE}", allow_module_level=True)
yaml = pytest.importorskip("yaml")
jsonschema = pytest.importorskip("jsonschema")


def _to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: `nullable: true` becomes an allowed null, and so does a
    description saying the value "can be `null`" (CurrentlyPlayingContextObject.context, a genre
    seed's href): the reference documents those nulls in prose only."""
    if isinstance(node, list):
        return [_to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_json_schema(v) for k, v in node.items()
           if k not in ("nullable", "discriminator", "example")}
    if node.get("nullable") is True or "`null`" in str(node.get("description", "")):
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        else:
            return {"anyOf": [out, {"type": "null"}]}
    return out


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(REFERENCE.read_text())
    return document


def response_schema(spec: dict[str, Any], path: str, status: str = "200",
                    method: str = "get") -> dict[str, Any]:
    """The schema of `path`'s answer; a path of "#Name" means components/responses/Name."""
    response: dict[str, Any]
    if path.startswith("#"):
        response = {"$ref": path}
    else:
        response = spec["paths"][path][method]["responses"][status]
    while "$ref" in response:  # "#/components/responses/X"
        name = str(response["$ref"]).rsplit("/", 1)[-1].lstrip("#")
        response = spec["components"]["responses"][name]
    schema = response["content"]["application/json"]["schema"]
    return {"components": _to_json_schema(spec["components"]), **_to_json_schema(schema)}


def assert_conforms(spec: dict[str, Any], path: str, body: Any, status: str = "200") -> None:
    validator = jsonschema.Draft202012Validator(response_schema(spec, path, status))
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


@pytest.fixture(scope="module")
def spotify() -> Iterator[RunningEmulator]:
    with run_emulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def get(spotify: RunningEmulator) -> Iterator[Any]:
    token = spotify.state.issue_access_token("premium-user", "encore-test-client", DEFAULT_SCOPES)
    with httpx.Client(base_url=f"{spotify.url}/v1",
                      headers={"Authorization": f"Bearer {token}"}) as client:

        def fetch(url: str, status: int = 200) -> Any:
            answer = client.get(url)
            assert answer.status_code == status, answer.text
            return answer.json()

        yield fetch


def test_profile(spec: dict[str, Any], get: Any) -> None:
    body = get("/me")
    assert_conforms(spec, "/me", body)
    assert {"id", "display_name", "email", "country", "product", "type", "uri", "href", "images",
            "followers", "external_urls", "explicit_content"} <= set(body)


@pytest.mark.parametrize("url", ["/me/top/tracks?limit=50", "/me/top/tracks?time_range=long_term"])
def test_top_tracks(spec: dict[str, Any], get: Any, url: str) -> None:
    assert_conforms(spec, "/me/top/tracks", get(url))


def test_saved_tracks(spec: dict[str, Any], get: Any) -> None:
    assert_conforms(spec, "/me/tracks", get("/me/tracks?limit=50&offset=20"))


@pytest.mark.parametrize("query", ["q=genre:rock&type=track&limit=10",
                                   "q=the&type=track,artist,album&offset=3"])
def test_search(spec: dict[str, Any], get: Any, query: str) -> None:
    body = get(f"/search?{query}")
    assert body["tracks"]["items"]
    assert_conforms(spec, "/search", body)


def test_tracks_and_audio_features(spec: dict[str, Any], get: Any,
                                   spotify: RunningEmulator) -> None:
    ids = ",".join(list(spotify.state.catalog.tracks)[:50])
    tracks = get(f"/tracks?ids={ids}")
    assert_conforms(spec, "/tracks", tracks)
    track_properties = set(spec["components"]["schemas"]["TrackObject"]["properties"])
    assert set(tracks["tracks"][0]) <= track_properties  # nothing Spotify would not send
    assert {"album", "artists", "disc_number", "duration_ms", "explicit", "external_ids",
            "external_urls", "href", "id", "is_playable", "name", "track_number", "type", "uri",
            "is_local", "popularity", "preview_url"} <= set(tracks["tracks"][0])
    assert_conforms(spec, "/audio-features", get(f"/audio-features?ids={ids}"))


def test_playlists_and_their_items(spec: dict[str, Any], get: Any) -> None:
    mine = get("/me/playlists?limit=50")
    assert_conforms(spec, "/me/playlists", mine)
    assert [p["name"] for p in mine["items"]] == ["Late night drive", "Everything I love",
                                                  "Today's Top Hits"]
    own, followed = mine["items"][1], mine["items"][2]
    assert_conforms(spec, "/playlists/{playlist_id}", get(f"/playlists/{own['id']}"),)
    first = get(f"/playlists/{own['id']}/items?limit=100")
    assert_conforms(spec, "/playlists/{playlist_id}/items", first)
    assert first["total"] == 130 and len(first["items"]) == 100 and first["next"]
    rest = get(f"/playlists/{own['id']}/items?offset=100")
    assert len(rest["items"]) == 30 and rest["next"] is None
    assert first["items"][0]["item"]["type"] == "track"
    # someone else's playlist: readable as a whole, not item by item (Spotify since 2024)
    assert get(f"/playlists/{followed['id']}/items", 403)["error"]["status"] == 403


def test_an_album_with_its_tracks(spec: dict[str, Any], get: Any,
                                  spotify: RunningEmulator) -> None:
    album_id = next(iter(spotify.state.catalog.albums))
    body = get(f"/albums/{album_id}")
    assert_conforms(spec, "/albums/{id}", body)
    assert body["tracks"]["items"] and body["tracks"]["total"] == len(body["tracks"]["items"])
    assert [t["track_number"] for t in body["tracks"]["items"]] == sorted(
        t["track_number"] for t in body["tracks"]["items"])
    get("/albums/" + "0" * 22, 404)


def test_recommendations(spec: dict[str, Any], get: Any, spotify: RunningEmulator) -> None:
    track_id = next(iter(spotify.state.catalog.tracks))
    artist_id = next(iter(spotify.state.catalog.artists))
    body = get(f"/recommendations?seed_tracks={track_id}&seed_artists={artist_id}&limit=100")
    assert len(body["tracks"]) > 20
    assert_conforms(spec, "/recommendations", body)


def test_playback_state_and_errors(spec: dict[str, Any], get: Any,
                                   spotify: RunningEmulator) -> None:
    with httpx.Client(base_url=spotify.url) as http:
        token = spotify.state.issue_access_token("premium-user", "encore-test-client",
                                                 DEFAULT_SCOPES)
        auth = {"Authorization": f"Bearer {token}"}
        device = http.post("/__sdk/devices", json={}, headers=auth).json()["device_id"]
        uri = f"spotify:track:{next(iter(spotify.state.catalog.tracks))}"
        http.put(f"/v1/me/player/play?device_id={device}", json={"uris": [uri]}, headers=auth)
        assert_conforms(spec, "/me/player", http.get("/v1/me/player", headers=auth).json())
        assert_conforms(spec, "#Unauthorized", http.get("/v1/me").json())
        free = spotify.state.issue_access_token("free-user", "encore-test-client", DEFAULT_SCOPES)
        forbidden = http.put("/v1/me/player/play", json={"uris": [uri]},
                             headers={"Authorization": f"Bearer {free}"})
        assert_conforms(spec, "#Forbidden", forbidden.json())
    assert_conforms(spec, "#BadRequest", get("/search?q=a&type=track&limit=11", 400))
