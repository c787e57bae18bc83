"""Issue 8, defect 2: "Refresh feed" shows new songs every time, also after the on-device model
re-ranked the list while the listener was listening, until every song came up once; then it
says so and starts over."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .conftest import Server, heard_after, sign_up, unique_name, wait_until
from .test_device_feed import device_ready

pytestmark = pytest.mark.e2e


def up_next(page: Page) -> list[str]:
    ids: list[str] = page.locator("#feed-list .track-card:not(.now)").evaluate_all(
        "cards => cards.map(c => c.dataset.trackId)")
    return ids


def press_refresh(page: Page) -> None:
    button = page.get_by_role("button", name="Refresh feed")
    generation = page.locator("#feed-list").get_attribute("data-generation")
    button.click()
    wait_until(lambda: button.is_enabled()
               and page.locator("#feed-list").get_attribute("data-generation") != generation,
               message="refreshed feed")


def listen_a_little(page: Page) -> None:
    """Play the top track, skip twice: the device learns and re-ranks what is on screen."""
    page.locator("#feed-list .track-card").first.get_by_role("button", name="Play").click()
    playing = None
    for _ in range(2):
        playing = heard_after(page, playing)
        before = up_next(page)
        page.get_by_role("button", name="Next (skip)").click()
        wait_until(lambda before=before: up_next(page) not in (before, before[1:]),
                   message="re-ranked after a skip")
    heard_after(page, playing)
    page.get_by_role("button", name="Pause").click()


def test_refresh_shows_new_songs_every_time(page: Page, server: Server) -> None:
    sign_up(page, unique_name("refresh"), genres=("rock",), unhurried=True)
    device_ready(page)
    listen_a_little(page)
    seen: set[str] = set()
    for press in range(5):
        before = up_next(page)
        seen |= set(before)
        press_refresh(page)
        after = up_next(page)
        assert len(after) == 30, press
        assert not seen & set(after), f"press {press + 1} brought back {sorted(seen & set(after))}"


def test_refresh_says_when_it_starts_over(page: Page, server: Server) -> None:
    sign_up(page, unique_name("everything"), genres=("jazz",))
    seen: set[str] = set()
    status = page.locator("#model-status")
    for press in range(40):
        seen |= set(up_next(page))
        press_refresh(page)
        if "starting over" in (page.locator("#toast").inner_text() + status.inner_text()):
            break
        assert not seen & set(up_next(page)), f"press {press + 1}"
    else:
        raise AssertionError("never said it starts over")
    assert len(seen) >= 500  # the demo catalog's 640 songs, less the last pool
    assert len(up_next(page)) == 30
