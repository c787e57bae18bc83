"""E2E: the queue — play next and add to queue from track menus, reorder and remove in the queue
view, what plays next follows it, then the feed keeps the music going; repeat one plays a song
again; the full-screen now playing on a phone shows what's next and links the names."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import Server, set_skip_threshold, sign_up, unique_name, wait_until

pytestmark = pytest.mark.e2e


def card(page: Page, index: int):  # noqa: ANN201
    return page.locator("#feed-list .track-card").nth(index)


def menu(page: Page, index: int, item: str) -> str:
    target = card(page, index)
    track_id = target.get_attribute("data-track-id")
    target.get_by_role("button", name="More for").click()
    page.get_by_role("menuitem", name=item).click()
    return str(track_id)


def name_of(title: Locator) -> str:
    """A track's name as shown, without the explicit tag ("E") beside it."""
    name: str = title.evaluate("t => t.firstChild.textContent")
    return name


def playing(page: Page) -> str | None:
    return page.locator("#player").get_attribute("data-track-id")


def test_play_next_add_to_queue_reorder_then_the_feed(page: Page, server: Server) -> None:
    sign_up(page, unique_name("queuer"))
    set_skip_threshold(page, 2)
    first = card(page, 0).get_attribute("data-track-id")
    card(page, 0).get_by_role("button", name="Play").click()
    wait_until(lambda: playing(page) == first, message="first plays")
    queued = menu(page, 10, "Add to queue")
    next_up = menu(page, 12, "Play next")
    also = menu(page, 14, "Add to queue")
    page.get_by_role("link", name="Queue").click()
    mine = page.get_by_role("list", name="Next in your queue")
    order = lambda: mine.locator(".track-row").evaluate_all("r => r.map(x => x.dataset.trackId)")  # noqa: E731
    wait_until(lambda: order() == [next_up, queued, also], message="play next first")
    mine.locator(".track-row").nth(2).get_by_role("button", name="up").click()
    wait_until(lambda: order() == [next_up, also, queued], message="moved up")
    title = name_of(mine.locator(".track-row .title").nth(0))
    mine.get_by_role("button", name=f"Remove {title} from the queue").click()
    wait_until(lambda: order() == [also, queued], message="removed")
    page.get_by_role("button", name="Next (skip)").click()
    wait_until(lambda: playing(page) == also, message="the queue plays first")
    wait_until(lambda: order() == [queued], message="taken off the queue")
    page.get_by_role("button", name="Next (skip)").click()
    wait_until(lambda: playing(page) == queued, message="then the next in the queue")
    expect(page.get_by_text("Use “Play next” or “Add to queue”")).to_be_visible()
    feed_next = page.get_by_role("list", name="Then your feed").locator(".track-row").first
    coming = feed_next.get_attribute("data-track-id")
    page.get_by_role("button", name="Next (skip)").click()
    wait_until(lambda: playing(page) == coming, message="the feed keeps the music going")


def test_repeat_one_and_the_phone_now_playing(page: Page, server: Server) -> None:
    page.set_viewport_size({"width": 360, "height": 780})
    sign_up(page, unique_name("repeater"))
    set_skip_threshold(page, 2)
    first = card(page, 0).get_attribute("data-track-id")
    card(page, 0).get_by_role("button", name="Play").click()
    page.get_by_role("button", name="Open now playing").click()
    screen = page.get_by_role("dialog")
    expect(screen.get_by_role("heading", level=2)).to_have_text(
        name_of(card(page, 0).locator(".title")))
    expect(screen.get_by_role("list", name="Up next").locator("li")).to_have_count(3)
    screen.get_by_role("button", name="Repeat: off").click()
    screen.get_by_role("button", name="Repeat: all").click()
    expect(screen.get_by_role("button", name="Repeat: this song")).to_have_attribute(
        "aria-pressed", "true")
    player = page.locator("#player")
    wait_until(lambda: int(player.get_attribute("data-position") or 0) > 2500, message="2.5 s")
    screen.get_by_label("Seek").evaluate(
        "el => { el.value = 995; el.dispatchEvent(new Event('input'));"
        " el.dispatchEvent(new Event('change')); }")
    wait_until(lambda: int(player.get_attribute("data-position") or 99_999) < 2000,
               message="the same song again from the start")
    assert playing(page) == first
    artist = screen.locator(".artists a").first
    name = artist.inner_text()
    artist.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    assert page.get_by_role("dialog").count() == 0
