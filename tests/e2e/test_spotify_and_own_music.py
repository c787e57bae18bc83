"""A listener with Spotify connected and a music folder of their own, on a device where the Web
Playback SDK refuses the account (and the Spotify app gets no previews): the feed keeps both
sources, but only their own songs can play here. Next goes on to the next of those, never to a
Spotify song that would stop the music with "can't be played here", and the list shows the
songs that can play first."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.library.media import make_track, tone
from tests.pwa_dist import build_pwa
from tests.servers import REPO

from .conftest import (
    Server,
    heard_after,
    position,
    running_server,
    sign_up,
    unique_name,
    wait_until,
)
from .test_spotify import connect_spotify
from .test_what_counts import seek_near_end

pytestmark = pytest.mark.e2e

OWN_SONGS = 4


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Encore with a small music folder (tags read, not analysed: analysis is slow and the feed
    lists the songs without it), and a Spotify whose SDK refuses and which gives no previews."""
    build_pwa()
    music = tmp_path_factory.mktemp("own-music")
    for n in range(OWN_SONGS):
        make_track(music / f"Artist {n}", f"song {n}", signal=tone(10.0, 220.0 * (n + 1)),
                   title=f"Own song {n}", artist=f"Artist {n}", album=f"Album {n}", genre="Rock")
    data = tmp_path_factory.mktemp("own-music-data")
    env = {"ENCORE_LIBRARY_DIRS": str(music)}
    scan = subprocess.run([sys.executable, "-m", "backend", "scan", "--no-analysis"], cwd=REPO,
                          env={**os.environ, **env, "ENCORE_DATA_DIR": str(data)},
                          capture_output=True, text=True, timeout=300, check=False)
    assert scan.returncode == 0, scan.stderr[-2000:]
    with running_server(data, env) as running:
        running.emulator.state.set(new_app_mode=True, sdk_failure="account_error")
        yield running


def sources_listed(page: Page) -> list[str]:
    """The source of each card in the feed's list, top to bottom (the playing one first)."""
    return list(page.evaluate("""() => [...document.querySelectorAll('#feed-list .track-card')]
        .map(card => encore.queue.byId.get(card.dataset.trackId)?.source)"""))


def test_next_goes_on_to_the_songs_that_can_play_here(page: Page, server: Server) -> None:
    said: list[str] = []
    page.on("console", lambda message: said.append(message.text))
    sign_up(page, unique_name("ownmusic"))
    connect_spotify(page)
    page.wait_for_function("() => document.body.dataset.spotify === 'failed'")
    page.wait_for_function("() => encore.app.feedLoaded && encore.app.feed.source === 'mixed'")

    # Their own songs first, then Spotify's (listed still: they play once the SDK does).
    def own_first() -> bool:
        sources = sources_listed(page)
        return (sources[:OWN_SONGS] == ["local"] * OWN_SONGS
                and set(sources[OWN_SONGS:]) == {"spotify"})
    wait_until(own_first, message="their own songs listed first")
    # The page says what plays instead: their own music, not a demo catalog it does not play.
    expect(page.locator("#notice-banner")).to_contain_text("Playing your own music instead.")

    # One of their own plays; Next twice, then a song ends: each time, the next that can play.
    player = page.locator("#player")

    def stopped() -> list[str]:
        return [text for text in said if "can't be played here" in text]

    page.locator("#feed-list .track-card").first.get_by_role("button", name="Play").click()
    heard = [heard_after(page, None)]
    for move_on in [next_pressed] * (OWN_SONGS - 2) + [seek_near_end]:
        move_on(page)
        wait_until(lambda: stopped() or (player.get_attribute("data-track-id") != heard[-1]
                                         and position(page) > 300), message="the next song heard")
        assert not stopped(), stopped()
        heard.append(str(player.get_attribute("data-track-id")))
    assert all(i.startswith("local-") for i in heard) and len(set(heard)) == OWN_SONGS, heard


def next_pressed(page: Page) -> None:
    page.get_by_role("button", name="Next (skip)").click()
