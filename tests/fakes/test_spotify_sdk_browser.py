"""The stand-in Web Playback SDK in real Chromium: loaded cross-origin as
https://sdk.scdn.co/spotify-player.js, it connects, plays what the Web API tells it to, and
reports state the way the real SDK does (including the end-of-track idiom)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.spotify import RunningEmulator, run_emulator
from tests.fakes.spotify.state import DEFAULT_SCOPES

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api")

PAGE = b"""<!doctype html><meta charset=utf-8><title>SDK host</title>
<script>
window.events = []; window.states = [];
window.onSpotifyWebPlaybackSDKReady = () => { window.sdkReady = true; };
function startPlayer(token) {
  const player = new Spotify.Player({name: "Encore test", getOAuthToken: cb => cb(token),
                                     volume: 0.1});
  for (const e of ["ready", "not_ready", "initialization_error", "authentication_error",
                   "account_error", "playback_error", "autoplay_failed"]) {
    player.addListener(e, payload => window.events.push([e, payload]));
  }
  player.addListener("player_state_changed", s => window.states.push(s));
  window.player = player;
  return player.connect();
}
</script>
<script src="https://sdk.scdn.co/spotify-player.js"></script>"""


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def app_origin() -> Iterator[str]:
    """The page under test lives on its own 127.0.0.1 origin, so SDK calls are cross-origin."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def spotify() -> Iterator[RunningEmulator]:
    with run_emulator() as emulator:
        yield emulator


def poll(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)
    return result


def test_sdk_connects_plays_and_reports_like_the_real_one(spotify: RunningEmulator,
                                                          app_origin: str) -> None:
    premium = spotify.state.issue_access_token("premium-user", "encore-test-client",
                                               DEFAULT_SCOPES)
    free = spotify.state.issue_access_token("free-user", "encore-test-client", DEFAULT_SCOPES)
    first, second = list(spotify.state.catalog.tracks)[:2]
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM),
                                     args=["--autoplay-policy=no-user-gesture-required"])
        page = browser.new_page()
        page.route("https://sdk.scdn.co/spotify-player.js", lambda route: route.fulfill(
            response=route.fetch(url=f"{spotify.url}/spotify-player.js")))
        page.goto(app_origin)
        page.wait_for_function("window.sdkReady === true")

        assert page.evaluate("t => startPlayer(t)", premium) is True
        kind, ready = page.evaluate("window.events[0]")
        assert kind == "ready" and ready["device_id"] in spotify.state.devices

        with httpx.Client(base_url=f"{spotify.url}/v1",
                          headers={"Authorization": f"Bearer {premium}"}) as api:
            uris = [f"spotify:track:{first}", f"spotify:track:{second}"]
            assert api.put(f"/me/player/play?device_id={ready['device_id']}",
                           json={"uris": uris}).status_code == 204
            page.wait_for_function(f"""window.states.some(s => !s.paused && s.position >= 0
                && s.track_window.current_track.id === "{first}")""")
            state = page.evaluate("window.player.getCurrentState()")
            assert state["track_window"]["current_track"]["duration_ms"] == (
                spotify.state.catalog.tracks[first].duration_ms)
            assert 4900 <= state["duration"] <= 5100  # the emulator's 5 s tone
            assert poll(lambda: (s := api.get("/me/player")).status_code == 200
                        and s.json()["is_playing"] and s.json()["item"]["id"] == first)

            # Near the end: the queue moves on, then ends the way the real SDK reports it.
            page.evaluate("window.player.seek(4700)")
            page.wait_for_function(f"""window.states.some(s =>
                s.track_window.current_track.id === "{second}"
                && s.track_window.previous_tracks[0].id === "{first}")""")
            page.evaluate("window.player.seek(4700)")
            page.wait_for_function(f"""window.states.some(s => s.paused && s.position === 0
                && s.track_window.previous_tracks.some(t => t.id === "{second}"))""")
            assert poll(lambda: not api.get("/me/player").json()["is_playing"])

        assert page.evaluate("t => startPlayer(t)", free) is False
        kind, payload = page.evaluate("window.events[window.events.length - 1]")
        assert kind == "account_error" and "premium" in payload["message"]
        browser.close()
