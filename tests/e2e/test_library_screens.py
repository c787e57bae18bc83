"""E2E: every screen around the feed (search, artist, album, liked, history, library, playlist,
queue, now playing, taste, account, the track menu and the add-to-playlist dialog) has no serious
or critical axe violation, fits 360 px without sideways scrolling, in light and dark; each is
captured at 360×780 and 1280×800 into test-artifacts/."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from .conftest import Server, sign_up, unique_name
from .test_accessibility import serious_violations, shoot

pytestmark = pytest.mark.e2e
SIZES = ((360, 780), (1280, 800))


def check(page: Page, name: str) -> None:
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width, height in SIZES:
            path = shoot(page, f"{name}-{scheme}", width, height)
            assert path.stat().st_size > 5_000
            assert serious_violations(page) == [], (name, scheme, width)
            if width == 360:
                overflow = page.evaluate(
                    "() => document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, f"{name} ({scheme}) scrolls sideways by {overflow} px"
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_every_library_screen_is_accessible_and_fits(page: Page, server: Server) -> None:
    sign_up(page, unique_name("screens"))
    first = page.locator("#feed-list .track-card").first
    first.get_by_role("button", name="Play").click()
    page.get_by_role("button", name="Like", exact=True).click()
    made = page.request.post("/api/playlists", data={"name": "Evening", "track_ids": [
        first.get_attribute("data-track-id")]}, headers={"X-Requested-With": "encore"})
    playlist_id = made.json()["id"]
    artist_href = first.locator(".artists a").first.get_attribute("href")

    def visit(path: str, ready: str) -> Callable[[], None]:
        def go() -> None:
            page.evaluate("path => { history.pushState({}, '', path);"
                          " dispatchEvent(new PopStateEvent('popstate')); }", path)
            page.locator(ready).first.wait_for()
        return go

    screens = [
        ("search", visit("/search?q=nocturne", "#search-results .track-row")),
        ("artist", visit(str(artist_href), ".browse .track-row")),
        ("liked", visit("/liked", ".track-row")),
        ("history", visit("/history", ".track-row")),
        ("library", visit("/playlists", "#playlist-list .tile")),
        ("playlist", visit(f"/playlist/{playlist_id}", ".track-row")),
        ("queue", visit("/queue", "#queue-title")),
        ("taste", visit("/taste", "#taste-summary")),
        ("account", visit("/account", "#password-form")),
    ]
    for name, go in screens:
        go()
        check(page, name)
    visit(str(artist_href), ".browse .tiles a")()
    page.locator(".browse .tiles a").first.click()
    page.locator(".browse .track-row").first.wait_for()
    check(page, "album")

    page.locator(".track-row").first.get_by_role("button", name="More for").click()
    page.get_by_role("menu").wait_for()
    check(page, "track-menu")
    page.get_by_role("menuitem", name="Add to playlist…").click()
    page.get_by_role("dialog").wait_for()
    check(page, "add-to-playlist")
    page.keyboard.press("Escape")

    page.get_by_role("button", name="Open now playing").click()
    page.get_by_role("dialog").wait_for()
    check(page, "now-playing")
