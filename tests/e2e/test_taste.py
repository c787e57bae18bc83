"""E2E: "Your taste" says what Encore learned; forgetting an artist takes them out of the feed on
this device at once and out of the server's next feed — offline too, the correction arriving
when the server is back; a private session keeps plays but teaches nothing."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import NetworkSwitch, Server, sign_up, unique_name, wait_until

pytestmark = pytest.mark.e2e


def artist_of_card(page: Page, index: int) -> tuple[str, str]:
    link = page.locator("#feed-list .track-card").nth(index).locator(".artists a").first
    return link.get_attribute("href").rsplit("/", 1)[1], link.inner_text()  # type: ignore[union-attr]


def finish_songs_by(page: Page, artist_id: str, ago_ms: int = 60_000) -> int:
    """The listener played half this artist's songs to the end (recorded as the page would): the
    other half, not just heard, is what a feed would now offer of them."""
    songs = page.request.get(f"/api/artists/{artist_id}").json()["tracks"]
    songs = songs[:max(1, len(songs) // 2)]
    now = int(time.time() * 1000) - ago_ms
    plays = [{"id": str(uuid.uuid4()), "track_id": t["id"], "type": "finished",
              "position_ms": t["duration_ms"], "duration_ms": t["duration_ms"], "at": now + i}
             for i, t in enumerate(songs * 2)]
    answer = page.request.post("/api/interactions", data={"interactions": plays},
                               headers={"X-Requested-With": "encore"})
    assert answer.ok, answer.text()
    return len(songs)


def feed_artists(page: Page) -> set[str]:
    hrefs = page.locator("#feed-list .track-card .artists a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    return {h.rsplit("/", 1)[1] for h in hrefs}


def server_feed_artists(page: Page) -> set[str]:
    body = page.request.get("/api/feed?limit=100&pool=1000").json()
    return {a["id"] for t in body["pool"] for a in t["artists"]}


def test_forget_an_artist_and_they_are_gone_from_the_next_feed(page: Page, server: Server) -> None:
    sign_up(page, unique_name("taste"))
    page.wait_for_function("() => document.body.dataset.model === 'ready'", timeout=60_000)
    artist_id, name = artist_of_card(page, 0)
    finish_songs_by(page, artist_id)
    assert artist_id in server_feed_artists(page)  # liked: the feed offers their other songs
    page.get_by_role("link", name="Taste").click()
    artists_up = page.get_by_role("list", name="Artists: up")
    expect(artists_up.locator(f"li[data-id='{artist_id}']")).to_contain_text(name)
    # The name as the artist writes it ("Yara & the Mirrors" was shown title-cased).
    assert artists_up.locator(f"li[data-id='{artist_id}'] .taste-name").inner_text() == name
    expect(page.locator("#taste-summary")).to_contain_text("learned from")
    # Sections with nothing in them are left out (the page once printed "nullnull").
    expect(page.locator("main")).not_to_contain_text(re.compile(r"null"))
    # Words and bars, not the model's raw numbers ("(weight -1.443)" was printed on each line).
    expect(page.locator("main")).not_to_contain_text(re.compile(r"weight [+-]?\d"))
    artists_up.get_by_role("button", name=f"Forget {name}").click()
    expect(page.locator("#taste-status")).to_contain_text(f"Forgot what {name} taught")
    expect(page.get_by_role("region", name="Forgotten")).to_contain_text(name)
    assert artist_id not in server_feed_artists(page)
    page.get_by_role("link", name="Feed").click()
    page.locator("#feed-list .track-card").nth(5).wait_for()
    assert artist_id not in feed_artists(page)  # the device's ranking honours it too
    page.get_by_role("button", name="Refresh feed").click()
    page.locator("#feed-list .track-card").nth(5).wait_for()
    assert artist_id not in feed_artists(page)


def test_dont_play_an_artist_and_the_very_next_feed_has_none(page: Page, server: Server) -> None:
    sign_up(page, unique_name("blocker"))
    page.wait_for_function("() => document.body.dataset.model === 'ready'", timeout=60_000)
    artist_id, name = artist_of_card(page, 0)
    finish_songs_by(page, artist_id)
    assert artist_id in server_feed_artists(page)  # liked: the feed offers their other songs
    page.get_by_role("link", name="Taste").click()
    up = page.get_by_role("list", name="Artists: up")
    up.get_by_role("button", name=f"Don't play {name}").click()
    expect(page.locator("#taste-status")).to_contain_text(f"{name} won't be played")
    expect(page.get_by_role("region", name="Not played")).to_contain_text(name)
    assert artist_id not in server_feed_artists(page)  # the server's very next feed
    page.get_by_role("link", name="Feed").click()
    page.locator("#feed-list .track-card").nth(5).wait_for()
    assert artist_id not in feed_artists(page)  # the device's ranking too
    page.get_by_role("button", name="Refresh feed").click()
    page.locator("#feed-list .track-card").nth(5).wait_for()
    assert artist_id not in feed_artists(page)


def test_offline_a_block_changes_the_feed_here_and_reaches_the_server(
        browser: Browser, network: NetworkSwitch) -> None:
    context = browser.new_context(base_url=network.url, viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        sign_up(page, unique_name("offtaste"))
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        page.wait_for_function("() => document.body.dataset.model === 'ready'", timeout=60_000)
        page.get_by_role("link", name="Feed").click()
        artist_id, name = artist_of_card(page, 0)
        finish_songs_by(page, artist_id)
        page.get_by_role("link", name="Taste").click()  # seen once online: kept for offline
        up = page.get_by_role("list", name="Artists: up")
        up.locator(f"li[data-id='{artist_id}']").wait_for()

        context.set_offline(True)
        network.set_online(False)
        up.get_by_role("button", name=f"Don't play {name}").click()
        page.get_by_role("link", name="Feed").click()
        page.locator("#feed-list .track-card").nth(5).wait_for()
        wait_until(lambda: artist_id not in feed_artists(page), message="gone from the feed here")

        network.set_online(True)
        context.set_offline(False)

        def blocked_on_server() -> bool:
            taste = page.request.get("/api/me/taste").json()
            return artist_id in [b["id"] for b in taste["blocked"]]

        wait_until(blocked_on_server, timeout=40, message="the block reaches the server")
        assert artist_id not in server_feed_artists(page)
    finally:
        context.close()


def test_a_private_session_keeps_plays_but_teaches_nothing(page: Page, server: Server) -> None:
    sign_up(page, unique_name("private"))
    page.get_by_role("link", name="Taste").click()
    page.get_by_label("Private session").check()
    expect(page.locator("#taste-status")).to_contain_text("Private session on")
    learned = page.request.get("/api/me/taste").json()["learned_from"]
    finish_songs_by(page, "demo-ar-001", ago_ms=0)  # played during the private session
    assert page.request.get("/api/me/taste").json()["learned_from"] == learned
    assert len(page.request.get("/api/me/history?limit=100").json()["plays"]) > 0
    page.get_by_label("Private session").uncheck()
    expect(page.locator("#taste-status")).to_contain_text("Encore learns again")
