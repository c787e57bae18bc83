"""Issue 8, defect 9: words a person reads, and a layout that works at 360 px and on a desktop.

Sign-up says what to type in sentences; a settings error never sits beside a stale "Saved.";
the skip threshold reads as a sentence and the exploration slider shows its value; the list of
plays waiting to sync names the songs; the details panel shows numbers and can play the
track; the player bar never covers the onboarding's button and the feed opens at its top."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import PASSWORD, Server, route_spotify, sign_up, unique_name, wait_until

pytestmark = pytest.mark.e2e

RAW = ("pattern", "String should", "bytes", "Value error", "[A-Za-z")


def test_sign_up_explains_itself_in_sentences(page: Page, server: Server) -> None:
    page.goto("/signup")
    page.get_by_label("Username").fill("a b")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Sign up").click()
    username_error = page.locator("#f-username-error")
    username_error.wait_for()
    wait_until(lambda: username_error.inner_text() != "", message="the username's sentence")
    said = username_error.inner_text() + " " + page.locator("#f-password-error").inner_text()
    assert "letters, digits" in username_error.inner_text()
    assert page.locator("#f-password-error").inner_text() == "Use at least 8 characters."
    assert not any(raw in said for raw in RAW), said
    # The server's own refusals read as sentences too (here: a name the server won't take).
    page.get_by_label("Username").fill("x" * 40)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    wait_until(lambda: "letters, digits" in username_error.inner_text(), message="too long")
    assert not any(raw in page.locator("form").inner_text() for raw in RAW)


def test_settings_say_one_thing_at_a_time_in_words(page: Page, server: Server) -> None:
    sign_up(page, unique_name("words"))
    page.get_by_role("link", name="Settings").click()
    threshold = page.get_by_label("A skip counts against a track only in its first")
    threshold.fill("20")
    summary = page.locator("#set-skip-summary")
    wait_until(lambda: "first 20 seconds" in summary.inner_text(), message="the sentence")
    page.locator("#set-skip-unit").select_option("percent")
    wait_until(lambda: "first 20 % of" in summary.inner_text(), message="percent")
    exploration = page.get_by_label("Exploration")
    shown = page.locator("#set-exploration-value")
    assert shown.inner_text().endswith("30 % discoveries")
    exploration.evaluate("el => { el.value = 0.8; el.dispatchEvent(new Event('input',"
                         " {bubbles: true})); }")
    wait_until(lambda: shown.inner_text().endswith("80 % discoveries"), message="its value")

    page.get_by_role("button", name="Save settings").click()
    saved = page.get_by_text("Saved.")
    saved.wait_for()
    threshold.fill("0")
    page.get_by_role("button", name="Save settings").click()
    error = page.locator("#set-skip_threshold_value-error")
    wait_until(lambda: error.inner_text() != "", message="the error")
    assert "1 to 100" in error.inner_text()
    assert saved.is_hidden()  # never "Saved." beside an error


def test_waiting_list_names_songs_and_details_show_numbers_and_play(page: Page,
                                                                    server: Server) -> None:
    sign_up(page, unique_name("names"))
    card = page.locator("#feed-list .track-card").first
    track_id = card.get_attribute("data-track-id")
    name = page.evaluate("id => encore.queue.byId.get(id).name", track_id)
    with server.faulted(interactions_status=503):
        card.get_by_role("button", name="Play").click()
        player = page.locator("#player")
        wait_until(lambda: int(player.get_attribute("data-position") or 0) > 1500, message="plays")
        page.get_by_role("button", name="Next (skip)").click()
        page.get_by_role("button", name="Pause").click()
        page.get_by_role("link", name="Settings").click()
        waiting = page.locator("#outbox-pending li").first
        waiting.wait_for()
        assert f"Skipped “{name}”" in waiting.inner_text()
        assert "demo-" not in waiting.inner_text()
    page.get_by_role("link", name="Feed").click()

    other = page.locator("#feed-list .track-card:not(.now)").nth(2)
    other_id = other.get_attribute("data-track-id")
    other.get_by_role("button", name="Details for").click()
    panel = page.get_by_role("dialog")
    features = page.evaluate("id => encore.queue.byId.get(id).features", other_id)
    energy = panel.locator("#sound-facts dd[data-quality=energy]")
    assert f"{round(features['energy'] * 100)} %" in energy.inner_text()
    assert panel.locator("dt", has_text="Energy").count() == 1  # each quality once
    panel.get_by_role("button", name="Play").click()
    wait_until(lambda: page.locator("#player").get_attribute("data-track-id") == other_id,
               message="the panel's Play plays that track")


@pytest.mark.parametrize("width,height", [(360, 640), (1280, 800)])
def test_nothing_covers_start_listening_and_the_feed_opens_at_its_top(
        browser: Browser, server: Server, width: int, height: int) -> None:
    context = browser.new_context(base_url=server.url, viewport={"width": width, "height": height})
    route_spotify(context, server)
    page = context.new_page()
    page.goto("/signup")
    page.get_by_label("Username").fill(unique_name("narrow"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    start = page.get_by_role("button", name="Start listening")
    start.scroll_into_view_if_needed()
    page.get_by_role("button", name="jazz", exact=True).click()
    start.scroll_into_view_if_needed()
    box = start.bounding_box()
    assert box is not None
    bottom_middle = [box["x"] + box["width"] / 2, box["y"] + box["height"] - 2]
    on_top = page.evaluate("([x, y]) => document.elementFromPoint(x, y)?.closest('button')"
                           "?.textContent", bottom_middle)
    assert on_top == "Start listening"
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    start.click()
    heading = page.get_by_role("heading", name="Your feed")
    heading.wait_for()
    bar = page.locator("#topbar").bounding_box()
    top = heading.bounding_box()
    assert bar is not None and top is not None
    assert top["y"] >= bar["y"] + bar["height"] - 1  # not under the sticky top bar
    # Every section's name is whole in the top bar ("Settings" was cut to "Set" at 360 px).
    nav = page.get_by_role("navigation", name="Main")
    assert nav.evaluate("n => n.scrollWidth <= n.clientWidth"), "the top bar's links are cut off"
    expect(nav.get_by_role("link", name="Settings")).to_be_in_viewport(ratio=1)
    # With nothing playing yet, the player bar's words are whole (not "Nothing play…").
    for words in ("#player-title", "#player .meta .artists"):
        widths = page.locator(words).evaluate("p => [p.scrollWidth, p.clientWidth]")
        assert widths[0] <= widths[1], (words, widths)
    context.close()
