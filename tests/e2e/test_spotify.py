"""E2E 5: connect Spotify through the emulator's consent page, play through the stand-in Web
Playback SDK (a finish and a skip are recorded); with the SDK failing with account_error the
message shows and demo playback still works."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .conftest import Server, sign_up, stored_interactions, unique_name, wait_until

pytestmark = pytest.mark.e2e


def connect_spotify(page: Page) -> None:
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Connect Spotify").click()
    page.locator("select[name=user]").select_option("premium-user")  # the emulator's consent page
    page.get_by_role("button", name="Agree").click()
    page.get_by_role("heading", name="Settings").wait_for()  # back where the listener started
    page.get_by_role("link", name="Feed").click()
    page.get_by_role("heading", name="Your feed").wait_for()


def play_spotify_feed(page: Page) -> None:
    """Connect Spotify, and wait for a feed of its songs and the SDK's player to be ready."""
    connect_spotify(page)
    page.wait_for_function("() => window.encore.app.me.spotify.connected")
    page.get_by_role("button", name="Refresh feed").click()
    page.wait_for_function("() => encore.queue.tracks[0]?.source === 'spotify'")
    page.wait_for_function("() => document.body.dataset.spotify === 'ready'")


def test_spotify_playback_and_account_error_fallback(page: Page, server: Server) -> None:
    sign_up(page, unique_name("spotify"))
    play_spotify_feed(page)

    player = page.locator("#player")
    page.locator("#feed-list .track-card").first.get_by_role("button", name="Play").click()
    # the track that plays, read from the player: the list may still be re-ranked around the
    # click (the device's ranking arriving), so the card's id read before it can be another
    first_id = wait_until(lambda: player.get_attribute("data-track-id"), message="a track plays")
    # Half of the emulator's 5 s tone heard, then to the end: a finish.
    wait_until(lambda: int(player.get_attribute("data-position") or 0) > 2600, message="SDK")
    page.get_by_label("Seek").evaluate(
        "el => { el.value = 990; el.dispatchEvent(new Event('input'));"
        " el.dispatchEvent(new Event('change')); }")
    wait_until(lambda: player.get_attribute("data-track-id") not in (None, first_id),
               message="next track after the end")
    second_id = player.get_attribute("data-track-id")
    # The emulator's tracks are 5 s tones: skip 1 s in, before the last 2 s count as a finish.
    wait_until(lambda: int(player.get_attribute("data-position") or 0) >= 1000, message="1 s")
    page.get_by_role("button", name="Next (skip)").click()
    items = wait_until(lambda: len(s := stored_interactions(page)) >= 2 and s, message="stored")
    by_track = {i["track_id"]: i for i in items}
    assert by_track[first_id]["type"] == "finished"
    assert by_track[second_id]["type"] == "skipped"
    assert 1000 <= by_track[second_id]["position_ms"] < 3000

    # The SDK refuses this account: a clear message, and the demo catalog still plays.
    server.emulator.state.set(sdk_failure="account_error")
    try:
        page.reload()
        notice = page.locator("#notice-banner")
        notice.wait_for()
        assert "Premium" in notice.inner_text()
        playable = page.locator("#feed-list .track-card").first
        playable.get_by_role("button", name="Play").click()
        wait_until(lambda: int(player.get_attribute("data-position") or 0) > 500,
                   message="fallback playback")
    finally:
        server.emulator.state.set(sdk_failure=None)


def test_without_previews_a_failing_sdk_falls_back_to_the_demo_catalog(
    page: Page, server: Server
) -> None:
    """A Spotify app created after Nov 2024 gets no previews: when the SDK refuses the account,
    the page says so and plays the demo catalog instead of a feed it cannot play."""
    server.emulator.state.set(sdk_failure="account_error", new_app_mode=True)
    try:
        sign_up(page, unique_name("nopreview"))
        connect_spotify(page)
        notice = page.locator("#notice-banner")
        page.wait_for_function("() => window.encore.app.demoOnly === true")
        assert "demo catalog" in notice.inner_text() and "Premium" in notice.inner_text()
        page.wait_for_function("() => encore.queue.tracks[0]?.source === 'demo'")
        page.locator("#feed-list .track-card").first.get_by_role("button", name="Play").click()
        player = page.locator("#player")
        wait_until(lambda: (player.get_attribute("data-track-id") or "").startswith("demo-")
                   and int(player.get_attribute("data-position") or 0) > 500,
                   message="demo playback")
    finally:
        server.emulator.state.set(sdk_failure=None, new_app_mode=False)
