"""Issue 8, defect 8: the ways into and out of Spotify. Connecting from the onboarding card
keeps the genre picks and comes back to them; cancelling on Spotify's consent page is said in
words; disconnecting switches the feed to the other sources at once, and what is on screen
plays."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .conftest import PASSWORD, Server, unique_name, wait_until

pytestmark = pytest.mark.e2e


def consent(page: Page, action: str = "Agree") -> None:
    """Spotify's consent page (the emulator's): pick the Premium account, Agree or Cancel."""
    page.locator("select[name=user]").select_option("premium-user")
    page.get_by_role("button", name=action).click()


def new_listener(page: Page, prefix: str) -> None:
    page.goto("/signup")
    page.get_by_label("Username").fill(unique_name(prefix))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.get_by_role("heading", name="what do you like?").wait_for()


def test_connecting_from_onboarding_keeps_the_picks(page: Page, server: Server) -> None:
    new_listener(page, "onbspot")
    for genre in ("classical", "blues"):
        page.get_by_role("button", name=genre, exact=True).click()
    page.get_by_role("button", name="Connect Spotify").click()
    consent(page)
    page.get_by_role("heading", name="what do you like?").wait_for()  # back to the picks
    assert page.locator("#spotify-flash").inner_text() == "Spotify is connected."
    assert "Connected as Premium Listener" in page.locator("#spotify-status").inner_text()
    for genre in ("classical", "blues"):
        chip = page.get_by_role("button", name=genre, exact=True)
        assert chip.get_attribute("aria-pressed") == "true", genre
    assert "spotify=" not in page.url
    page.get_by_role("button", name="Start listening").click()
    page.get_by_role("heading", name="Your feed").wait_for()
    me = page.request.get("/api/me").json()
    assert sorted(me["settings"]["favorite_genres"]) == ["blues", "classical"]
    assert me["spotify"]["connected"] is True


def test_cancelling_on_spotify_s_page_is_said(page: Page, server: Server) -> None:
    new_listener(page, "cancel")
    page.get_by_role("button", name="rock", exact=True).click()
    page.get_by_role("button", name="Start listening").click()
    page.get_by_role("heading", name="Your feed").wait_for()
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Connect Spotify").click()
    consent(page, "Cancel")
    page.get_by_role("heading", name="Settings").wait_for()
    said = page.locator("#spotify-flash")
    assert "cancelled on Spotify's page" in said.inner_text()
    assert said.is_visible()
    assert page.locator("#spotify-status").inner_text() == "Not connected."


def test_after_disconnecting_the_feed_switches_and_plays(page: Page, server: Server) -> None:
    new_listener(page, "disconnect")
    page.get_by_role("button", name="jazz", exact=True).click()
    page.get_by_role("button", name="Start listening").click()
    page.get_by_role("heading", name="Your feed").wait_for()
    page.get_by_role("link", name="Settings").click()
    connect = page.get_by_role("button", name="Connect Spotify")
    connect.or_(page.get_by_role("link", name="Connect Spotify")).click()
    consent(page)
    page.wait_for_function("() => !location.href.includes('/authorize')")
    page.goto("/")
    page.get_by_role("button", name="Refresh feed").click()
    page.wait_for_function("() => encore.queue.tracks[0]?.source === 'spotify'")

    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Disconnect Spotify").click()
    page.locator("#spotify-status", has_text="Not connected.").wait_for()
    page.get_by_role("link", name="Feed").click()
    sources = page.evaluate("() => encore.queue.tracks.map(t => t.source)")
    assert sources and "spotify" not in sources
    cards = page.locator("#feed-list .track-card")
    assert cards.count() >= 20
    cards.first.get_by_role("button", name="Play").click()
    player = page.locator("#player")
    wait_until(lambda: int(player.get_attribute("data-position") or 0) > 500, message="plays")
