"""E2E 3: offline, the app shell and the cached feed render, the model worker comes up, a cached
demo track plays, skips re-rank the queue, and the waiting interactions survive a new page in the
same profile and arrive exactly once when the network returns."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import Page, Playwright, expect

from .conftest import (
    NetworkSwitch,
    go_offline,
    go_online,
    open_profile,
    pinned_card,
    sign_up,
    stored_interactions,
    unique_name,
    wait_until,
)

pytestmark = pytest.mark.e2e


def queue_order(page: Page) -> list[str]:
    return page.locator("#feed-list .track-card:not(.now)").evaluate_all(
        "cards => cards.map(c => c.dataset.trackId)")


def waiting(page: Page) -> int:
    return int(page.locator("#offline-banner").get_attribute("data-waiting") or -1)


def test_offline_listening_is_kept_and_synced_once(playwright: Playwright, network: NetworkSwitch,
                                                   tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    context = open_profile(playwright, profile, network.url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_up(page, unique_name("offline"))
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function("() => document.body.dataset.model === 'ready'", timeout=60_000)
    # Play the top track for a moment: it and the next ones land in the offline audio cache
    # (three skips need four saved tracks: a track that cannot load is not a skip).
    first = page.locator("#feed-list .track-card").first
    first.get_by_role("button", name="Play").click()
    page.locator(".track-card .offline-badge").nth(4).wait_for(timeout=90_000)
    page.get_by_role("button", name="Pause").click()

    go_offline(context, network)
    page.reload()
    page.locator("#feed-list .track-card").nth(19).wait_for()  # the cached feed, at once
    page.wait_for_function("() => document.body.dataset.model === 'ready'", timeout=60_000)
    page.locator(".offline-badge").first.wait_for()
    cached_id, cached = pinned_card(
        page, page.locator(".track-card", has=page.locator(".offline-badge")))
    cached.get_by_role("button", name="Play").click()
    player = page.locator("#player")
    wait_until(lambda: player.get_attribute("data-track-id") == cached_id
               and int(player.get_attribute("data-position") or 0) > 500,
               message="offline playback")

    for n in range(1, 4):
        before = queue_order(page)
        leaving = player.get_attribute("data-track-id")
        page.get_by_role("button", name="Next (skip)").click()
        wait_until(lambda n=n: waiting(page) == n, message=f"{n} waiting")
        wait_until(lambda before=before: queue_order(page) not in (before, before[1:]),
                   message="re-ranked queue")
        # The next saved track is heard before the listener skips it in turn (a track skipped
        # before it started was never heard: it is no skip).
        wait_until(lambda leaving=leaving: player.get_attribute("data-track-id") != leaving
                   and int(player.get_attribute("data-position") or 0) > 300,
                   message=f"saved track {n + 1} playing")
    assert page.get_by_role("status").filter(has_text="3 plays saved on this device").is_visible()
    # A like waits with them, and the banner counts it as a like, not as a fourth play.
    page.get_by_role("button", name="Like", exact=True).click()
    wait_until(lambda: waiting(page) == 4, message="the like waiting")
    assert page.get_by_role("status").filter(
        has_text="3 plays and 1 like saved on this device").is_visible()

    # A new page in the same profile (the browser closed and opened again): still 4 waiting.
    context.close()
    context = open_profile(playwright, profile, network.url, offline=True)
    go_offline(context, network)
    page = context.new_page()
    page.goto("/")
    page.locator("#feed-list .track-card").first.wait_for()
    wait_until(lambda: waiting(page) == 4, message="4 waiting after reopening")

    go_online(context, network)
    wait_until(lambda: page.locator("#offline-banner").is_hidden(), message="banner gone")
    items = wait_until(lambda: len(s := stored_interactions(page)) >= 4 and s, message="sync")
    assert Counter(i["type"] for i in items) == {"skipped": 3, "liked": 1}
    assert len({i["id"] for i in items}) == len(items) == 4
    context.close()


# a card whose cover failed: blank (the page shows a clear pixel) or the browser's broken-image sign
BROKEN_COVERS = """() => [...document.querySelectorAll('#feed-list img.cover')]
    .filter((img) => img.src.startsWith('data:')
                     || (img.complete && img.naturalWidth === 0)).length"""
BROKEN_SIGNS = """() => [...document.querySelectorAll('#feed-list img.cover')]
    .filter((img) => img.complete && img.naturalWidth === 0).length"""


def test_a_refresh_offline_brings_new_songs_keeps_the_saved_ones_and_shows_covers_once_back(
        playwright: Playwright, network: NetworkSwitch, tmp_path: Path) -> None:
    """Offline, "Refresh feed" gets the saved feed back: the songs that were on screen make way
    for the pool's next best (it used to show the same songs), except those saved on this
    device, all that can play here, so the music goes on; reopened offline, the page does not
    bring the moved-past songs back. The new songs' covers were never fetched: they show blank,
    and once the server is back the listener sees them without reloading."""
    context = open_profile(playwright, tmp_path / "profile", network.url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_up(page, unique_name("covers"))
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function("() => document.body.dataset.model === 'ready'", timeout=60_000)
    page.locator("#feed-list .track-card").first.get_by_role("button", name="Play").click()
    page.locator(".track-card .offline-badge").nth(4).wait_for(timeout=90_000)
    page.get_by_role("button", name="Pause").click()
    before = set(queue_order(page))
    saved = set(page.locator("#feed-list .track-card:not(.now)", has=page.locator(".offline-badge"))
                .evaluate_all("cards => cards.map(c => c.dataset.trackId)"))
    assert len(saved) >= 4

    go_offline(context, network)
    page.get_by_role("button", name="Refresh feed").click()
    wait_until(lambda: len(set(queue_order(page)) - before) >= 10, message="new songs offline")
    wait_until(lambda: len(queue_order(page)) >= len(before), message="a full list")
    listed = set(queue_order(page))
    # of what was on screen only the saved songs stay (saving went on after the pause: read now)
    saved = set(page.locator("#feed-list .track-card:not(.now)", has=page.locator(".offline-badge"))
                .evaluate_all("cards => cards.map(c => c.dataset.trackId)"))
    assert listed & before == saved & before and len(saved & before) >= 4
    wait_until(lambda: page.evaluate(BROKEN_COVERS) > 0, message="covers failing offline")
    # blank covers, not the browser's broken image (for an instant it is: the error event that
    # blanks it comes a task after the image broke)
    wait_until(lambda: page.evaluate(BROKEN_SIGNS) == 0, timeout=5, message="no broken-image sign")
    # the music goes on: the next song is one saved here
    player = page.locator("#player")
    page.get_by_role("button", name="Next (skip)").click()
    wait_until(lambda: player.get_attribute("data-track-id") in saved
               and int(player.get_attribute("data-position") or 0) > 300,
               message="a saved song plays")
    # reopened while still offline, the list does not bring back what the refresh moved past
    page.reload()
    page.locator("#feed-list .track-card").first.wait_for()
    wait_until(lambda: len(queue_order(page)) >= 10, message="the list offline after a reload")
    assert not set(queue_order(page)) & (before - saved)

    go_online(context, network)
    page.wait_for_function("() => document.body.dataset.online === 'true'", timeout=60_000)
    wait_until(lambda: page.evaluate(BROKEN_COVERS) == 0, message="every cover shown again")
    context.close()


def test_a_library_page_that_could_not_load_offline_loads_when_the_network_returns(
        playwright: Playwright, network: NetworkSwitch, tmp_path: Path) -> None:
    """Offline, a library list never saved on this device says so; when the network comes
    back, the list appears where the listener is, without leaving the page and coming back."""
    context = open_profile(playwright, tmp_path / "profile", network.url)
    page = context.new_page()
    sign_up(page, unique_name("backonline"))
    made = page.request.post("/api/playlists", data={"name": "Road trip"},
                             headers={"X-Requested-With": "encore"})
    assert made.ok, made.text()

    go_offline(context, network)
    page.get_by_role("link", name="Library").click()
    playlists = page.locator("#playlist-list")
    expect(playlists).to_contain_text("You're offline, and this isn't saved on this device yet.")
    expect(playlists).not_to_contain_text("Road trip")

    go_online(context, network)
    # (the page probes the server once the browser is back online, then loads the list)
    expect(playlists.get_by_role("link", name="Road trip")).to_be_visible(timeout=20_000)
    expect(playlists).not_to_contain_text("You're offline")
    assert page.url.endswith("/playlists"), page.url  # the same page, not one gone to again
