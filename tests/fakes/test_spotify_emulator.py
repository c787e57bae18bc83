"""The Spotify emulator over real HTTP: what Encore's Spotify client and browser will meet."""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.spotify import RunningEmulator, run_emulator
from tests.fakes.spotify.catalog import GENRES, build_catalog
from tests.fakes.spotify.state import DEFAULT_SCOPES
from tests.fakes.spotify.testing import consent, login, pkce_pair

CALLBACK = "http://127.0.0.1:8000/auth/spotify/callback"
CLIENT = "encore-test-client"


@pytest.fixture
def spotify() -> Iterator[RunningEmulator]:
    with run_emulator(redirect_uris=[CALLBACK]) as emulator:
        yield emulator


@pytest.fixture
def http(spotify: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=spotify.url) as client:
        yield client


def bearer(spotify: RunningEmulator, user: str = "premium-user",
           scope: str = DEFAULT_SCOPES) -> dict[str, str]:
    token = spotify.state.issue_access_token(user, CLIENT, scope)
    return {"Authorization": f"Bearer {token}"}


def exchange(http: httpx.Client, code: str, **extra: str) -> httpx.Response:
    return http.post("/api/token", data={"grant_type": "authorization_code", "code": code,
                                         "redirect_uri": CALLBACK, "client_id": CLIENT, **extra})


def refresh(http: httpx.Client, token: str) -> httpx.Response:
    return http.post("/api/token", data={"grant_type": "refresh_token", "refresh_token": token,
                                         "client_id": CLIENT})


def grant_error(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["error"], body.get("error_description", "")


# -- accounts ---------------------------------------------------------------------------------
def test_pkce_code_flow_consent_page_and_profile(spotify: RunningEmulator,
                                                 http: httpx.Client) -> None:
    verifier, challenge = pkce_pair()
    page = http.get("/authorize", params={
        "client_id": CLIENT, "response_type": "code", "redirect_uri": CALLBACK,
        "scope": "user-read-private streaming", "state": "s-42",
        "code_challenge_method": "S256", "code_challenge": challenge})
    assert page.status_code == 200
    assert "Encore" in page.text and "streaming" in page.text
    assert "<form method=post" in page.text and ">Agree</button>" in page.text
    assert "premium-user" in page.text and "free-user" in page.text

    query = consent(spotify, redirect_uri=CALLBACK, challenge=challenge, state="s-42",
                    scope="user-read-private streaming")
    assert query["state"] == "s-42"
    answer = exchange(http, query["code"], code_verifier=verifier)
    assert answer.status_code == 200, answer.text
    tokens = answer.json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600
    assert tokens["scope"] == "user-read-private streaming" and tokens["refresh_token"]
    me = http.get("/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.json()["product"] == "premium" and me.json()["id"] == "premium-user"
    assert "email" not in me.json()  # user-read-email was not granted


def test_cancel_redirects_with_access_denied(spotify: RunningEmulator) -> None:
    query = consent(spotify, redirect_uri=CALLBACK, agree=False, state="s-9")
    assert query == {"error": "access_denied", "state": "s-9"}


def test_unregistered_redirect_is_an_error_page_until_registered(spotify: RunningEmulator,
                                                                 http: httpx.Client) -> None:
    other = "http://127.0.0.1:9999/cb"
    params = {"client_id": CLIENT, "response_type": "code", "redirect_uri": other}
    page = http.get("/authorize", params=params)
    assert page.status_code == 400 and "Invalid redirect URI" in page.text
    assert "location" not in page.headers
    assert "Invalid client" in http.get("/authorize", params=params | {"client_id": "x"}).text
    spotify.state.register_redirect_uri(other)
    assert consent(spotify, redirect_uri=other)["code"]


def test_auto_approve_skips_the_dialog_and_hooks_flip_switches(spotify: RunningEmulator,
                                                               http: httpx.Client) -> None:
    assert http.post("/__emulator/switches", json={"auto_approve": "free-user"}).status_code == 200
    answer = http.get("/authorize", params={"client_id": CLIENT, "response_type": "code",
                                            "redirect_uri": CALLBACK, "state": "s"})
    assert answer.status_code == 302 and "code=" in answer.headers["location"]
    assert http.post("/__emulator/switches", json={"no_such": 1}).status_code == 400
    tokens = http.post("/api/token", auth=(CLIENT, "encore-test-secret"), data={
        "grant_type": "authorization_code", "redirect_uri": CALLBACK,
        "code": answer.headers["location"].split("code=")[1].split("&")[0]}).json()
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert http.get("/v1/me", headers=auth).json()["id"] == "free-user"
    assert http.post("/__emulator/revoke", json={"user_id": "free-user"}).json() == {"revoked": 1}


def test_wrong_verifier_and_reused_code_are_rejected(spotify: RunningEmulator,
                                                     http: httpx.Client) -> None:
    verifier, challenge = pkce_pair()
    code = consent(spotify, redirect_uri=CALLBACK, challenge=challenge)["code"]
    assert grant_error(exchange(http, code, code_verifier=pkce_pair()[0])) == (
        400, "invalid_grant", "code_verifier was incorrect")
    assert grant_error(exchange(http, code, code_verifier="short")) == (
        400, "invalid_grant", "code_verifier was incorrect")
    assert grant_error(exchange(http, code))[:2] == (400, "invalid_request")
    assert exchange(http, code, code_verifier=verifier).status_code == 200
    assert grant_error(exchange(http, code, code_verifier=verifier)) == (
        400, "invalid_grant", "Invalid authorization code")


def test_codes_are_short_lived(spotify: RunningEmulator, http: httpx.Client) -> None:
    verifier, challenge = pkce_pair()
    code = consent(spotify, redirect_uri=CALLBACK, challenge=challenge)["code"]
    spotify.state.advance(601)
    assert grant_error(exchange(http, code, code_verifier=verifier))[:2] == (400, "invalid_grant")


def test_confidential_client_with_basic_auth(spotify: RunningEmulator,
                                             http: httpx.Client) -> None:
    code = consent(spotify, redirect_uri=CALLBACK)["code"]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    wrong = http.post("/api/token", data=data, auth=(CLIENT, "nope"))
    assert grant_error(wrong)[:2] == (401, "invalid_client")
    assert grant_error(http.post("/api/token", data=data))[:2] == (401, "invalid_client")
    right = http.post("/api/token", data=data, auth=(CLIENT, "encore-test-secret"))
    assert right.status_code == 200 and right.json()["refresh_token"]


def test_refresh_with_rotation_revokes_the_old_token(spotify: RunningEmulator,
                                                     http: httpx.Client) -> None:
    first = login(spotify, redirect_uri=CALLBACK)["refresh_token"]
    answer = refresh(http, first).json()
    assert answer["access_token"] and answer["expires_in"] == 3600
    assert answer["refresh_token"] not in (None, first)
    assert grant_error(refresh(http, first)) == (400, "invalid_grant", "Refresh token revoked")
    assert refresh(http, answer["refresh_token"]).status_code == 200
    assert spotify.state.counters["refresh_grants"] == 2


def test_refresh_without_rotation_keeps_the_old_token(spotify: RunningEmulator,
                                                      http: httpx.Client) -> None:
    spotify.state.set(rotate_refresh_tokens=False)
    token = login(spotify, redirect_uri=CALLBACK)["refresh_token"]
    answer = refresh(http, token).json()
    assert "refresh_token" not in answer and answer["access_token"]
    assert refresh(http, token).status_code == 200
    assert spotify.state.counters["refresh_grants"] == 2


def test_revoked_expired_and_unknown_refresh_tokens(spotify: RunningEmulator,
                                                    http: httpx.Client) -> None:
    token = login(spotify, redirect_uri=CALLBACK)["refresh_token"]
    assert spotify.state.revoke_user("premium-user") == 1
    assert grant_error(refresh(http, token)) == (400, "invalid_grant", "Refresh token revoked")
    assert grant_error(refresh(http, "nonsense")) == (400, "invalid_grant",
                                                      "Invalid refresh token")
    # Six months from the original consent, however often it was refreshed in between.
    token = login(spotify, redirect_uri=CALLBACK)["refresh_token"]
    spotify.state.advance(150 * 86400)
    token = refresh(http, token).json()["refresh_token"]
    spotify.state.advance(40 * 86400)
    assert grant_error(refresh(http, token))[:2] == (400, "invalid_grant")


def test_token_endpoint_request_errors(http: httpx.Client) -> None:
    assert grant_error(http.post("/api/token", data={}))[:2] == (400, "unsupported_grant_type")
    assert grant_error(http.post("/api/token", data={"grant_type": "password"}))[:2] == (
        400, "unsupported_grant_type")
    missing = http.post("/api/token", data={"grant_type": "refresh_token", "client_id": CLIENT})
    assert grant_error(missing)[:2] == (400, "invalid_request")


# -- Web API gatekeeping --------------------------------------------------------------------------
def test_access_tokens_missing_unknown_expired(spotify: RunningEmulator,
                                               http: httpx.Client) -> None:
    spotify.state.set(token_ttl=1)
    tokens = login(spotify, redirect_uri=CALLBACK)
    assert tokens["expires_in"] == 1
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert http.get("/v1/me", headers=auth).status_code == 200
    spotify.state.advance(2)
    messages = [http.get("/v1/me", headers=h).json()["error"] for h in
                (auth, {"Authorization": "Bearer nope"}, {})]
    assert messages == [{"status": 401, "message": m} for m in
                        ("The access token expired", "Invalid access token", "No token provided")]


def test_rate_limit_answers_429_with_retry_after(spotify: RunningEmulator,
                                                 http: httpx.Client) -> None:
    spotify.state.set(rate_limit=3)
    auth = bearer(spotify)
    assert [http.get("/v1/me", headers=auth).status_code for _ in range(3)] == [200] * 3
    limited = http.get("/v1/me", headers=auth)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 30
    assert limited.json()["error"]["status"] == 429
    spotify.state.advance(31)  # the rolling window moved on
    assert http.get("/v1/me", headers=auth).status_code == 200


def test_outage_switches(spotify: RunningEmulator, http: httpx.Client) -> None:
    auth = bearer(spotify)
    spotify.state.set(fail_next=1)
    assert http.get("/v1/me", headers=auth).status_code == 503
    assert http.get("/v1/me", headers=auth).status_code == 200
    spotify.state.set(fail_all=True)
    assert http.get("/v1/me", headers=auth).json()["error"]["status"] == 503
    assert http.post("/api/token", data={"grant_type": "refresh_token"}).status_code == 503


def test_new_app_mode_forbids_deprecated_endpoints_and_previews(spotify: RunningEmulator,
                                                                http: httpx.Client) -> None:
    auth = bearer(spotify)
    track_id = next(iter(spotify.state.catalog.tracks))
    artist_id = next(iter(spotify.state.catalog.artists))
    paths = [f"/v1/audio-features?ids={track_id}", f"/v1/audio-analysis/{track_id}",
             "/v1/recommendations?seed_genres=pop", f"/v1/artists/{artist_id}/related-artists"]
    assert [http.get(p, headers=auth).status_code for p in paths] == [200] * 4
    assert http.get(f"/v1/tracks/{track_id}", headers=auth).json()["preview_url"]
    spotify.state.set(new_app_mode=True)
    assert [http.get(p, headers=auth).status_code for p in paths] == [403] * 4
    assert http.get(f"/v1/tracks/{track_id}", headers=auth).json()["preview_url"] is None


def test_missing_scope_is_forbidden(spotify: RunningEmulator, http: httpx.Client) -> None:
    auth = bearer(spotify, scope="user-read-private")
    assert http.get("/v1/me/top/tracks", headers=auth).status_code == 403
    assert http.get("/v1/me/tracks", headers=auth).status_code == 403


# -- Web API content ------------------------------------------------------------------------------
def test_saved_tracks_page_through_next_links(spotify: RunningEmulator,
                                              http: httpx.Client) -> None:
    auth, seen = bearer(spotify), []
    url: str | None = "/v1/me/tracks?limit=50"
    while url:
        page = http.get(url, headers=auth).json()
        assert set(page) == {"href", "items", "limit", "next", "offset", "previous", "total"}
        seen += [item["track"]["id"] for item in page["items"]]
        assert all(item["added_at"].endswith("Z") for item in page["items"])
        url = page["next"]
    assert len(seen) == len(set(seen)) == page["total"] == 120
    assert page["previous"] is not None


def test_top_tracks_and_validation(spotify: RunningEmulator, http: httpx.Client) -> None:
    auth = bearer(spotify, user="free-user")
    page = http.get("/v1/me/top/tracks?time_range=short_term&limit=10&offset=5",
                    headers=auth).json()
    assert (page["limit"], page["offset"], len(page["items"])) == (10, 5, 10)
    assert page["items"][0]["type"] == "track"
    for bad in ("limit=51", "limit=0", "time_range=forever", "offset=-1"):
        answer = http.get(f"/v1/me/top/tracks?{bad}", headers=auth)
        assert answer.status_code == 400 and answer.json()["error"]["status"] == 400, bad


def test_search_filters_and_limits(spotify: RunningEmulator, http: httpx.Client) -> None:
    auth = bearer(spotify)
    catalog = spotify.state.catalog
    jazz = http.get("/v1/search", params={"q": "genre:jazz", "type": "track", "limit": 10},
                    headers=auth).json()["tracks"]
    assert jazz["total"] > 10 and len(jazz["items"]) == 10
    assert all(any("jazz" in catalog.artists[a["id"]].genres for a in t["artists"])
               for t in jazz["items"])
    artist = next(iter(catalog.artists.values()))
    by_artist = http.get("/v1/search", params={"q": f'artist:"{artist.name}"', "type": "track"},
                         headers=auth).json()["tracks"]["items"]
    assert by_artist and all(artist.name in [a["name"] for a in t["artists"]] for t in by_artist)
    for bad in ("q=x&type=track&limit=11", "q=x&type=song", "q=&type=track",
                "q=x&type=track&offset=1001"):
        assert http.get(f"/v1/search?{bad}", headers=auth).status_code == 400, bad


def test_tracks_features_and_recommendations(spotify: RunningEmulator,
                                             http: httpx.Client) -> None:
    auth = bearer(spotify)
    ids = list(spotify.state.catalog.tracks)
    tracks = http.get(f"/v1/tracks?ids={','.join(ids[:50])}", headers=auth).json()["tracks"]
    assert [t["id"] for t in tracks] == ids[:50]
    assert http.get(f"/v1/tracks?ids={','.join(ids[:51])}", headers=auth).status_code == 400
    unknown = "0" * 22
    features = http.get(f"/v1/audio-features?ids={ids[0]},{unknown}",
                        headers=auth).json()["audio_features"]
    assert features[0]["id"] == ids[0] and 0 <= features[0]["energy"] <= 1 and features[1] is None
    assert http.get(f"/v1/audio-features?ids={','.join(ids[:101])}",
                    headers=auth).status_code == 400
    recs = http.get("/v1/recommendations", params={"seed_genres": "metal", "limit": 30,
                                                   "min_energy": "0.7"}, headers=auth).json()
    assert len(recs["tracks"]) == 30 and recs["seeds"][0]["type"] == "genre"
    too_many = {"seed_genres": "pop,rock,jazz", "seed_tracks": ",".join(ids[:3])}
    assert http.get("/v1/recommendations", params=too_many, headers=auth).status_code == 400


def test_catalog_is_deterministic_and_genre_shaped() -> None:
    catalog = build_catalog(7)
    again = build_catalog.__wrapped__(7)  # bypass the cache: really rebuilt
    assert list(catalog.tracks) == list(again.tracks) and len(catalog.tracks) >= 500
    assert len({g for a in catalog.artists.values() for g in a.genres}) == len(GENRES) >= 12

    def mean(genre: str, feature: str) -> float:
        values = [float(t.features[feature]) for t in catalog.tracks.values()
                  if catalog.genre_of(t) == genre]
        return sum(values) / len(values)

    assert mean("metal", "energy") > mean("classical", "energy") + 0.5
    assert mean("classical", "acousticness") > mean("electronic", "acousticness") + 0.5


def test_preview_is_a_real_wav_with_ranges(spotify: RunningEmulator, http: httpx.Client) -> None:
    track = http.get(f"/v1/tracks/{next(iter(spotify.state.catalog.tracks))}",
                     headers=bearer(spotify)).json()
    audio = httpx.get(track["preview_url"])
    assert audio.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(audio.content)) as w:
        assert 4.9 < w.getnframes() / w.getframerate() < 5.1
    part = httpx.get(track["preview_url"], headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.content) == 100
    cover = httpx.get(track["album"]["images"][0]["url"])
    assert cover.headers["content-type"].startswith("image/svg+xml") and b"<svg" in cover.content


# -- player and the stand-in SDK's private endpoints ----------------------------------------------
def connect_device(http: httpx.Client, auth: dict[str, str]) -> httpx.Response:
    return http.post("/__sdk/devices", json={"name": "Encore", "volume": 0.5}, headers=auth)


def test_play_reaches_the_device_and_shows_in_playback_state(spotify: RunningEmulator,
                                                             http: httpx.Client) -> None:
    auth = bearer(spotify)
    assert http.get("/v1/me/player", headers=auth).status_code == 204
    device = connect_device(http, auth).json()["device_id"]
    uris = [f"spotify:track:{t}" for t in list(spotify.state.catalog.tracks)[:2]]
    assert http.put(f"/v1/me/player/play?device_id={device}", json={"uris": uris},
                    headers=auth).status_code == 204
    commands = http.get(f"/__sdk/devices/{device}/commands?after=0&wait=1").json()["commands"]
    assert commands[0]["type"] == "play" and len(commands[0]["tracks"]) == 2
    assert commands[0]["tracks"][0]["audio_url"].endswith(".wav")
    http.post(f"/__sdk/devices/{device}/state",
              json={"paused": False, "position": 1200, "track_uri": uris[0]})
    state = http.get("/v1/me/player", headers=auth).json()
    assert state["is_playing"] and state["item"]["uri"] == uris[0]
    assert state["device"]["id"] == device and state["progress_ms"] >= 1200
    assert http.put("/v1/me/player", json={"device_ids": [device], "play": True},
                    headers=auth).status_code == 204
    missing = http.put("/v1/me/player/play?device_id=nope", json={"uris": uris}, headers=auth)
    assert missing.status_code == 404


def test_free_user_cannot_play_or_connect_the_sdk(spotify: RunningEmulator,
                                                  http: httpx.Client) -> None:
    auth = bearer(spotify, user="free-user")
    answer = http.put("/v1/me/player/play?device_id=x", json={"uris": []}, headers=auth)
    assert answer.status_code == 403
    assert answer.json()["error"] == {"status": 403, "reason": "PREMIUM_REQUIRED",
                                      "message": "Player command failed: Premium required"}
    assert connect_device(http, auth).json()["error"]["kind"] == "account_error"
    spotify.state.set(sdk_failure="initialization_error")
    premium = connect_device(http, bearer(spotify)).json()
    assert premium["error"]["kind"] == "initialization_error"


def test_sdk_script_and_cors(http: httpx.Client) -> None:
    script = http.get("/spotify-player.js")
    assert script.headers["content-type"].startswith("application/javascript")
    assert "onSpotifyWebPlaybackSDKReady" in script.text
    assert str(http.base_url).rstrip("/") in script.text  # the script talks back to us
    preflight = http.options("/v1/me/player/play", headers={
        "Origin": "http://127.0.0.1:8000", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization,content-type"})
    assert preflight.status_code in (200, 204)
    assert preflight.headers["access-control-allow-origin"] == "http://127.0.0.1:8000"
    assert "authorization" in preflight.headers["access-control-allow-headers"]
