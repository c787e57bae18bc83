"""E2E: search as you type, by keyboard too, play a result to the end; the play is stored, the
history says so, and the next feed reflects it (the model learned it, the track is not offered
again at once). Artist and album pages from the names. Offline, search finds what the device has
seen, typos and all."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import (
    NetworkSwitch,
    Server,
    set_skip_threshold,
    sign_up,
    stored_interactions,
    unique_name,
    wait_until,
)

pytestmark = pytest.mark.e2e


def _feed(page: Page) -> dict:
    answer = page.request.get("/api/feed?limit=100&pool=1000")
    assert answer.ok, answer.text()
    body: dict = answer.json()
    return body


def test_search_play_to_the_end_and_the_next_feed_knows(page: Page, server: Server) -> None:
    sign_up(page, unique_name("searcher"), genres=("rock",))
    set_skip_threshold(page, 2)
    before = _feed(page)
    page.get_by_role("link", name="Search").click()
    box = page.get_by_label("Search Encore")
    box.press_sequentially("nocturn", delay=40)  # as typed: results come while typing
    songs = page.get_by_role("list", name="Songs")
    expect(songs.locator(".track-row").first).to_contain_text("Nocturne")
    expect(page.locator("#search-status")).to_contain_text("songs")
    # keyboard: from the box down to the first result's play button, Enter plays it
    box.press("ArrowDown")
    first = songs.locator(".track-row").first
    expect(first.get_by_role("button", name="Play")).to_be_focused()
    track_id = first.get_attribute("data-track-id")
    page.keyboard.press("Enter")
    player = page.locator("#player")
    wait_until(lambda: player.get_attribute("data-track-id") == track_id, message="playing")
    wait_until(lambda: int(player.get_attribute("data-position") or 0) > 2500, message="2.5 s")
    page.get_by_label("Seek").first.evaluate(
        "el => { el.value = 990; el.dispatchEvent(new Event('input'));"
        " el.dispatchEvent(new Event('change')); }")
    # the end moves on to the next search result, not to the feed
    second_id = songs.locator(".track-row").nth(1).get_attribute("data-track-id")
    wait_until(lambda: player.get_attribute("data-track-id") == second_id, message="next result")

    def finished() -> dict | None:
        return next((i for i in stored_interactions(page)
                     if i["track_id"] == track_id and i["type"] == "finished"), None)

    wait_until(finished, message="the finish stored")
    # stored once: one interaction for this track, the finish (no skip, no second copy)
    assert [i["type"] for i in stored_interactions(page) if i["track_id"] == track_id] == [
        "finished"]
    after = _feed(page)
    assert after["model_version"] != before["model_version"]
    assert track_id not in [t["id"] for t in after["pool"]]  # just heard: not offered again

    def counted() -> bool:  # the model counts every stored play, this finish among them, once
        learned = page.request.get("/api/me/taste").json()["learned_from"]
        return bool(learned == len(stored_interactions(page)))

    wait_until(counted, message="the finish counted as a play")
    page.get_by_role("link", name="Library").click()
    page.get_by_role("link", name="History").click()
    rows = page.locator(f".track-row[data-track-id='{track_id}']")
    expect(rows.first).to_contain_text("Played to the end")
    assert rows.count() == 1


def test_names_lead_to_artist_and_album_pages_with_play_all(page: Page, server: Server) -> None:
    sign_up(page, unique_name("browser"))
    card = page.locator("#feed-list .track-card").first
    artist_link = card.locator(".artists a").first
    artist = artist_link.inner_text()
    artist_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(artist)
    rows = page.get_by_role("list", name=f"Songs by {artist}").locator(".track-row")
    expect(rows.first).to_be_visible()
    assert all(artist in r.inner_text() for r in rows.all())
    page.get_by_role("button", name="Play all").click()
    first_id = rows.first.get_attribute("data-track-id")
    wait_until(lambda: page.locator("#player").get_attribute("data-track-id") == first_id,
               message="play all starts the first")
    page.locator(".tiles a").first.click()  # an album
    expect(page.locator(".kicker")).to_have_text("Album")
    album_rows = page.locator(".track-list .track-row")
    expect(album_rows.first).to_be_visible()
    assert all(artist in r.inner_text() for r in album_rows.all())
    # The queue shows the rest of the artist's songs under their name (it once printed
    # "[object HTMLHeadingElement],[object HTMLOListElement]" instead).
    page.get_by_role("link", name="Queue").click()
    expect(page.get_by_role("heading", name=f"Next from {artist}")).to_be_visible()
    ahead = page.get_by_role("list", name=f"Next from {artist}")
    expect(ahead.locator(".track-row").first).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("[object")


def _typo(word: str) -> str:
    """The word with two inner letters swapped, as a hurried typist writes it."""
    return word[:2] + word[3] + word[2] + word[4:]


def test_offline_search_finds_what_the_device_has_seen(browser: Browser,
                                                       network: NetworkSwitch) -> None:
    context = browser.new_context(base_url=network.url, viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        sign_up(page, unique_name("offsearch"))
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        card = page.locator("#feed-list .track-card").nth(3)
        track_id = card.get_attribute("data-track-id")
        name = card.locator(".title").evaluate("h => h.firstChild.textContent")
        artist = card.locator(".artists a").first.inner_text()
        longest = max(name.split(), key=len).strip(".,;:!?()")
        query = f"{_typo(longest) if len(longest) >= 5 else longest} {artist[:3]}"

        context.set_offline(True)
        network.set_online(False)
        page.get_by_role("link", name="Search").click()
        page.get_by_label("Search Encore").press_sequentially(query, delay=40)
        expect(page.locator("#search-status")).to_contain_text("on this device (you're offline)")
        songs = page.get_by_role("list", name="Songs")
        expect(songs.locator(f".track-row[data-track-id='{track_id}']")).to_be_visible()
        # a song the device never saw is not made up
        page.get_by_label("Search Encore").fill("zzqxv")
        expect(page.locator("#search-status")).to_contain_text("Nothing found for “zzqxv”")
    finally:
        network.set_online(True)
        context.close()
