"""Issue 8, defect 5: listening goes on when the server goes away. While the server answers, the
playing track and the next ten are saved on the device (the browser is asked to keep them);
when the server becomes unreachable — here with the network still "up" for the browser, the
server cut at the relay — the banner says so, saved tracks come first, and Next plays eleven
tracks in a row."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, Playwright

from .conftest import NetworkSwitch, open_profile, sign_up, unique_name, wait_until

pytestmark = pytest.mark.e2e


def saved_cards(page: Page) -> list[str]:
    ids: list[str] = page.locator(".track-card", has=page.locator(".offline-badge")).evaluate_all(
        "cards => cards.map(c => c.dataset.trackId)")
    return ids


def up_next(page: Page) -> list[str]:
    ids: list[str] = page.locator("#feed-list .track-card:not(.now)").evaluate_all(
        "cards => cards.map(c => c.dataset.trackId)")
    return ids


def playing(page: Page) -> tuple[str | None, int]:
    player = page.locator("#player")
    return player.get_attribute("data-track-id"), int(player.get_attribute("data-position") or 0)


def test_the_next_ten_play_when_the_server_is_unreachable(playwright: Playwright,
                                                          network: NetworkSwitch,
                                                          tmp_path: Path) -> None:
    context = open_profile(playwright, tmp_path / "profile", network.url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_up(page, unique_name("commute"))
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.locator("#feed-list .track-card").first.get_by_role("button", name="Play").click()
    wait_until(lambda: len(saved_cards(page)) >= 11, timeout=120, message="eleven saved")
    assert page.evaluate("() => encore.offlineAudio.persisted") is not None  # asked to keep them
    first, _ = playing(page)

    network.set_online(False)  # the server is gone; the browser still says "online"
    assert page.evaluate("() => navigator.onLine") is True
    heard = [first]
    for n in range(10):
        page.get_by_role("button", name="Next (skip)").click()
        wait_until(lambda: playing(page)[0] not in heard and playing(page)[1] > 300, timeout=30,
                   message=f"track {n + 2} plays offline")
        heard.append(playing(page)[0])
        if n == 0:
            banner = page.locator("#offline-banner")
            wait_until(banner.is_visible, message="the banner")
            assert "Can't reach Encore's server" in banner.inner_text()
            # Saved tracks first: what Next will play is at the top of the list.
            saved = set(saved_cards(page))
            wait_until(lambda saved=saved: set(up_next(page)[:9]) <= saved,
                       message="saved tracks first")
    assert len(set(heard)) == 11
    context.close()


def test_a_refresh_with_the_server_gone_says_nothing_new_is_saved(playwright: Playwright,
                                                                  network: NetworkSwitch,
                                                                  tmp_path: Path) -> None:
    """Refreshed while the server answered, then refreshed again once it is gone: the songs
    saved here stay first and nothing new can play, which looked like a refresh that did
    nothing. The page says so."""
    context = open_profile(playwright, tmp_path / "profile", network.url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_up(page, unique_name("tunnel"), unhurried=True)
    page.locator("#feed-list .track-card").first.get_by_role("button", name="Play").click()
    wait_until(lambda: len(saved_cards(page)) >= 3, timeout=60, message="songs saved")
    page.get_by_role("button", name="Pause").click()
    refresh = page.get_by_role("button", name="Refresh feed")
    toast = page.locator("#toast")
    listed = up_next(page)
    refresh.click()
    wait_until(lambda: refresh.is_enabled() and up_next(page)[:5] != listed[:5],
               message="new songs")
    assert "saved on this device" not in toast.inner_text()  # the server answered

    network.set_online(False)  # the server is gone; the browser still says "online"
    refresh.click()
    wait_until(lambda: "nothing new is saved on this device" in toast.inner_text(),
               message="the refresh says why the songs that play are the same")
    assert toast.inner_text().startswith("Can't reach Encore's server, and")
    context.close()
