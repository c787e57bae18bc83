"""Issue 8, defects 3 and 4: what the browser records is what was heard.

- A track that fails to load (offline and not saved on the device, or a server error) is never
  recorded as skipped or finished; the player says so and moves on to a track that can play.
- Seeking is not listening: a finish needs the end reached having heard at least the skip
  threshold or half the track; a skip records how much was heard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Playwright

from .conftest import (
    NetworkSwitch,
    Server,
    go_offline,
    go_online,
    heard_after,
    open_profile,
    position,
    set_skip_threshold,
    sign_up,
    stored_interactions,
    unique_name,
    wait_until,
)

pytestmark = pytest.mark.e2e


def playing_id(page: Page) -> str | None:
    return page.locator("#player").get_attribute("data-track-id")


def unsent(page: Page) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = page.evaluate(
        "async () => (await encore.outbox.pending()).map(r => ({track_id: r.track_id,"
        " type: r.type, position_ms: r.position_ms}))")
    return rows


def seek_near_end(page: Page) -> None:
    page.get_by_label("Seek").evaluate(
        "el => { el.value = 990; el.dispatchEvent(new Event('input'));"
        " el.dispatchEvent(new Event('change')); }")


def test_offline_a_track_not_saved_is_not_a_skip_and_a_saved_one_plays(
        playwright: Playwright, server: Server, network: NetworkSwitch, tmp_path: Path) -> None:
    context = open_profile(playwright, tmp_path / "profile", network.url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_up(page, unique_name("unsaved"))
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.locator("#feed-list .track-card").first.get_by_role("button", name="Play").click()
    heard_after(page, None)  # heard: leaving it below is a skip (a song never heard is none)
    page.locator(".track-card .offline-badge").nth(1).wait_for()
    page.get_by_role("button", name="Pause").click()
    # Downloads settled first: a song whose download was under way at the cut is saved after
    # it, and then rightly plays (it would not be the unsaved song this test needs). The rest
    # of the next ten fail at once rather than being rendered one by one (a busy CI machine
    # took over 30 s for them), and none is saved after `saved` is read.
    with server.faulted(audio_status=500):
        page.wait_for_function("() => !encore.offlineAudio.running")
        saved = set(page.locator(".track-card", has=page.locator(".offline-badge")).evaluate_all(
            "cards => cards.map(c => c.dataset.trackId)"))
        go_offline(context, network)
    missing_id = page.locator(".track-card:not(.now)", has_not=page.locator(".offline-badge")
                              ).first.get_attribute("data-track-id")
    assert missing_id not in saved
    page.locator(f'.track-card[data-track-id="{missing_id}"]').get_by_role(
        "button", name="Play").click()  # that very card, wherever the offline order puts it
    toast = page.locator("#toast")
    wait_until(lambda: "isn't saved on this device" in toast.inner_text(), message="the reason")
    wait_until(lambda: playing_id(page) in saved and position(page) > 500, timeout=30,
               message="a saved track plays instead")
    assert page.locator("#play-pause").get_attribute("aria-label") == "Pause"
    page.get_by_role("button", name="Next (skip)").click()
    wait_until(lambda: len(unsent(page)) >= 2, message="the skips recorded")
    assert missing_id not in {row["track_id"] for row in unsent(page)}

    go_online(context, network)
    stored = wait_until(lambda: len(s := stored_interactions(page)) >= 2 and s, message="sync")
    assert missing_id not in {i["track_id"] for i in stored}
    context.close()


def test_a_server_error_is_not_a_skip_and_next_records_nothing(page: Page,
                                                               server: Server) -> None:
    sign_up(page, unique_name("broken"))
    with server.faulted(audio_status=500):
        card = page.locator("#feed-list .track-card").nth(3)
        broken_id = card.get_attribute("data-track-id")
        card.get_by_role("button", name="Play").click()
        toast = page.locator("#toast")
        wait_until(lambda: "Nothing in your list can play" in toast.inner_text(),
                   message="the player gives up with a reason")
        assert page.locator("#play-pause").get_attribute("aria-label") == "Play"
        page.get_by_role("button", name="Next (skip)").click()
        page.wait_for_timeout(1500)  # an interaction would be in the outbox by now
        assert unsent(page) == [] and stored_interactions(page) == []
    page.get_by_role("button", name="Play", exact=True).and_(page.locator("#play-pause")).click()
    wait_until(lambda: position(page) > 500, timeout=45, message="plays once the server answers")
    assert broken_id


def test_a_track_whose_first_load_fails_is_tried_again_and_plays(page: Page,
                                                                  server: Server) -> None:
    """A server that fails once (busy, a dropped connection) does not cost the listener the song
    they pressed: it is tried again a moment later and plays; nothing is recorded for the
    failed attempt and the player does not move on."""
    sign_up(page, unique_name("retry"))
    card = page.locator("#feed-list .track-card").nth(2)
    wanted = card.get_attribute("data-track-id")
    server.fault(audio_status_once=503)
    card.get_by_role("button", name="Play").click()
    wait_until(lambda: playing_id(page) == wanted and position(page) > 500,
               message="the pressed song plays after one more try")
    assert "couldn't be loaded" not in page.locator("#toast").inner_text()
    assert unsent(page) == [] and stored_interactions(page) == []


def test_asking_for_the_song_that_plays_is_not_a_skip(page: Page, server: Server) -> None:
    """Pressing Play on the song already playing (from its details here; its album's "Play
    all" goes the same way) lets it go on: nothing is recorded against it."""
    sign_up(page, unique_name("again"))
    card = page.locator("#feed-list .track-card").first
    wanted = card.get_attribute("data-track-id")
    card.get_by_role("button", name="Play").click()
    wait_until(lambda: playing_id(page) == wanted and position(page) > 1500, message="1.5 s heard")
    page.locator(f'#feed-list .track-card[data-track-id="{wanted}"]').get_by_role(
        "button", name="Details for").click()
    page.get_by_role("dialog").get_by_role("button", name="Play").click()
    heard = position(page)
    page.wait_for_timeout(1500)  # a skip would be in the outbox by now
    assert playing_id(page) == wanted and position(page) > heard  # it went on, not restarted
    assert unsent(page) == [] and stored_interactions(page) == []


def test_seeking_to_the_end_is_not_a_finish(page: Page, server: Server) -> None:
    sign_up(page, unique_name("seeker"))
    first = page.locator("#feed-list .track-card").first
    first_id = first.get_attribute("data-track-id")
    first.get_by_role("button", name="Play").click()
    wait_until(lambda: position(page) >= 3000, message="3 s heard")
    seek_near_end(page)
    wait_until(lambda: playing_id(page) not in (None, first_id), message="the end, then the next")
    items = wait_until(lambda: stored_interactions(page), message="stored")
    (jumped,) = [i for i in items if i["track_id"] == first_id]
    assert jumped["type"] == "skipped"
    assert 3000 <= jumped["position_ms"] < 6000  # what was heard, not where the seek landed

    # With a 2-second threshold, hearing 2.5 s and then jumping to the end is a finish.
    page.get_by_role("button", name="Pause").click()
    set_skip_threshold(page, 2)
    second = page.locator("#feed-list .track-card:not(.now)").first
    second_id = second.get_attribute("data-track-id")
    second.get_by_role("button", name="Play").click()
    wait_until(lambda: playing_id(page) == second_id and position(page) >= 2500, message="2.5 s")
    seek_near_end(page)
    wait_until(lambda: playing_id(page) not in (None, second_id), message="the next track")
    items = wait_until(lambda: [i for i in stored_interactions(page)
                                if i["track_id"] == second_id], message="stored")
    assert [i["type"] for i in items] == ["finished"]
