"""Controls a listener uses without the mouse: space pauses and resumes, → skips (a "skipped"
interaction with the position they left at), L likes; the lock screen (Media Session) shows the
playing track's title, artist and artwork."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .conftest import (
    Server,
    playing,
    position,
    sign_up,
    stored_interactions,
    unique_name,
    wait_until,
)

pytestmark = pytest.mark.e2e


def test_keyboard_shortcuts_and_media_session(page: Page, server: Server) -> None:
    sign_up(page, unique_name("keys"))
    player = page.locator("#player")
    first = page.locator("#feed-list .track-card").first
    first_id = first.get_attribute("data-track-id")
    first.get_by_role("button", name="Play").click()
    wait_until(lambda: playing(page) and position(page) > 300, message="playback")
    # Click an empty part of the page, as a listener would, so no button has the focus.
    page.get_by_role("heading", name="Your feed").click()

    page.keyboard.press(" ")
    wait_until(lambda: not playing(page), message="paused by space")
    paused_at = position(page)
    page.wait_for_timeout(600)  # paused means the position stands still
    assert abs(position(page) - paused_at) < 100
    assert page.get_by_role("button", name="Play", exact=True).and_(
        page.locator("#play-pause")).is_visible()
    page.keyboard.press(" ")
    wait_until(lambda: playing(page) and position(page) > paused_at + 300, message="resumed")

    # The lock screen shows what is playing.
    track = page.evaluate("id => encore.queue.byId.get(id)", first_id)
    meta = page.evaluate("""() => { const m = navigator.mediaSession.metadata;
        return m && {title: m.title, artist: m.artist, artwork: m.artwork.map(a => a.src)}; }""")
    assert meta["title"] == track["name"]
    assert meta["artist"] == ", ".join(a["name"] for a in track["artists"])
    cover = min(track["album"]["images"], key=lambda i: abs((i.get("width") or 512) - 512))["url"]
    assert meta["artwork"] == [f"{server.url}{cover}" if cover.startswith("/") else cover]
    assert page.request.get(meta["artwork"][0]).ok

    left_at = position(page)
    page.keyboard.press("ArrowRight")
    wait_until(lambda: player.get_attribute("data-track-id") not in (None, first_id),
               message="next track after →")
    second_id = player.get_attribute("data-track-id")
    wait_until(lambda: playing(page) and position(page) > 200, message="second track playing")
    assert page.evaluate("() => navigator.mediaSession.metadata.title") == page.evaluate(
        "id => encore.queue.byId.get(id).name", second_id)

    page.keyboard.press("l")
    assert page.locator("#like").get_attribute("aria-pressed") == "true"

    def both() -> list[dict] | None:
        items = stored_interactions(page)
        return items if len(items) >= 2 else None

    items = {(i["track_id"], i["type"]): i for i in wait_until(both, message="stored")}
    assert set(items) == {(first_id, "skipped"), (second_id, "liked")}
    skipped = items[(first_id, "skipped")]
    # Recorded as what was heard: up to where the listener left (no seek here), give or take one
    # report of the audio clock (~250 ms) at either end.
    assert left_at - 300 <= skipped["position_ms"] <= left_at + 1500
