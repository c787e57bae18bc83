"""E2E 1: a new user signs up, picks genres, gets a feed, finishes one track and skips another.
A finish needs real listening (the skip threshold, here set to 2 s, or half the track) before the
end; this listener hears 2.5 s and then drags the slider to the end."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .conftest import (
    Server,
    set_skip_threshold,
    sign_up,
    stored_interactions,
    unique_name,
    wait_until,
)

pytestmark = pytest.mark.e2e


def test_new_user_finishes_one_track_and_skips_another(page: Page, server: Server) -> None:
    sign_up(page, unique_name("listener"))
    set_skip_threshold(page, 2)
    cards = page.locator("#feed-list .track-card")
    assert cards.count() >= 20
    first = cards.nth(0)
    first_id = first.get_attribute("data-track-id")
    first.get_by_role("button", name="Play").click()

    player = page.locator("#player")
    wait_until(lambda: int(player.get_attribute("data-position") or 0) > 2500, message="2.5 s")
    # Seek near the end with the progress slider, as a user dragging it would.
    seek = page.get_by_label("Seek")
    seek.evaluate("el => { el.value = 985; el.dispatchEvent(new Event('input'));"
                  " el.dispatchEvent(new Event('change')); }")
    # The end of the first track moves on to the next one by itself.
    wait_until(lambda: player.get_attribute("data-track-id") not in (None, first_id),
               message="auto-advance")
    second_id = player.get_attribute("data-track-id")
    wait_until(lambda: int(player.get_attribute("data-position") or 0) >= 3000, timeout=15,
               message="3 s of the next track")
    page.get_by_role("button", name="Next (skip)").click()

    def both_stored() -> list[dict] | None:
        items = stored_interactions(page)
        return items if len(items) >= 2 else None

    items = {i["track_id"]: i for i in wait_until(both_stored, message="interactions stored")}
    finished, skipped = items[first_id], items[second_id]
    assert finished["type"] == "finished"
    assert finished["position_ms"] >= finished["duration_ms"] - 2000
    assert skipped["type"] == "skipped"
    assert 3000 <= skipped["position_ms"] < 8000


def test_songs_not_saved_yet_start_and_can_be_sought_into(page: Page, server: Server) -> None:
    """Songs further down the list are not saved on this device yet: the service worker fetches
    them while they play. Chromium used to fail such a song ("couldn't be loaded") when its first
    part came from the network and a seek's (or the Ogg file end's) range from the cache's new
    copy; a listener saw the song skipped for another."""
    unplayable: list[str] = []
    page.on("console", lambda m: unplayable.append(m.text) if "unplayable" in m.text else None)
    sign_up(page, unique_name("seeker"))
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    player = page.locator("#player")
    seek = page.get_by_label("Seek")
    cards = page.locator("#feed-list .track-card")
    assert cards.count() >= 30
    tried = 0
    for index in range(29, 13, -2):  # upwards: what is saved next follows the one playing
        card = cards.nth(index)
        track_id = card.get_attribute("data-track-id")
        if card.locator(".offline-badge").count():
            continue  # saved meanwhile: not what this test is about
        tried += 1
        card.get_by_role("button", name="Play").click()
        wait_until(lambda wanted=track_id: player.get_attribute("data-track-id") == wanted
                   and int(player.get_attribute("data-position") or 0) > 0,
                   message=f"{track_id} starts")
        seek.evaluate("el => { el.value = 800; el.dispatchEvent(new Event('input'));"
                      " el.dispatchEvent(new Event('change')); }")
        wait_until(lambda wanted=track_id: player.get_attribute("data-track-id") == wanted
                   and int(seek.input_value()) >= 800
                   and player.get_attribute("data-playing") == "true",
                   message=f"{track_id} plays from 80 %")
    assert tried >= 6 and unplayable == []
