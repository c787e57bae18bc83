"""Issue 8, defect 7: the feed does not reorder under the listener's finger. When the on-device
model's ranking arrives a few seconds after the feed is on screen, the cards the listener can
see stay where they are; only what is below them takes the new order.

The case where the device must rank differently from the feed on screen: a listener skipped
tracks offline, then opens Encore again, still offline. The saved feed shows at once; the model
relearns the unsent skips and re-ranks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Playwright

from .conftest import NetworkSwitch, go_offline, heard_after, open_profile, sign_up, unique_name

pytestmark = pytest.mark.e2e

# Records the feed the first time it is on screen, before anything could re-rank it.
FIRST_SIGHT = """
new MutationObserver((_, observer) => {
  const cards = document.querySelectorAll('#feed-list .track-card:not(.now)');
  if (cards.length < 20 || window.__firstSight) return;
  window.__firstSight = [...cards].map((c) => {
    const r = c.getBoundingClientRect();
    return {id: c.dataset.trackId, top: Math.round(r.top), left: Math.round(r.left)};
  });
  observer.disconnect();
}).observe(document, {childList: true, subtree: true});
"""


def cards_now(page: Page) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = page.locator("#feed-list .track-card:not(.now)").evaluate_all(
        """cards => cards.map(c => { const r = c.getBoundingClientRect();
            return {id: c.dataset.trackId, top: Math.round(r.top), left: Math.round(r.left)}; })""")
    return rows


def test_the_device_ranking_does_not_move_the_cards_on_screen(playwright: Playwright,
                                                              network: NetworkSwitch,
                                                              tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    context = open_profile(playwright, profile, network.url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_up(page, unique_name("steady"), genres=("rock", "metal"), unhurried=True)
    page.wait_for_function("() => document.body.dataset.model === 'ready'", timeout=90_000)
    page.locator("#feed-list .track-card").first.get_by_role("button", name="Play").click()
    page.locator(".track-card .offline-badge").nth(3).wait_for(timeout=90_000)
    go_offline(context, network)
    playing = None
    for _ in range(3):  # three early skips offline: the device learns, the server does not
        playing = heard_after(page, playing)
        page.get_by_role("button", name="Next (skip)").click()
    page.wait_for_function("() => document.body.dataset.outboxPending === '3'")
    context.close()

    context = open_profile(playwright, profile, network.url, offline=True)
    go_offline(context, network)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.add_init_script(FIRST_SIGHT)
    page.goto("/")
    page.wait_for_function("() => window.__firstSight !== undefined")
    first: list[dict[str, Any]] = page.evaluate("() => window.__firstSight")
    page.wait_for_function("() => document.body.dataset.model === 'ready'", timeout=90_000)
    page.locator("#feed-list[data-source=device]").wait_for()
    page.wait_for_timeout(500)  # let any re-render land
    fold = page.evaluate("() => innerHeight - document.getElementById('player').offsetHeight")
    on_screen = [row for row in first if row["top"] < fold]
    assert len(on_screen) >= 6
    now = cards_now(page)
    assert now[:len(on_screen)] == on_screen  # same cards, same places
    below_before = [row["id"] for row in first[len(on_screen):]]
    below_now = [row["id"] for row in now[len(on_screen):]]
    assert below_now != below_before  # the device's ranking took effect below the fold
    context.close()


def test_a_new_listener_s_feed_stays_put_when_the_model_takes_over(page: Page) -> None:
    """The issue's own sighting: 2-3 s after the first feed, with the pointer on a card."""
    page.add_init_script(FIRST_SIGHT)
    sign_up(page, unique_name("still"), genres=("classical", "blues"), unhurried=True)
    page.locator("#feed-list .track-card").nth(2).hover()
    page.wait_for_function("() => window.__firstSight !== undefined")
    first: list[dict[str, Any]] = page.evaluate("() => window.__firstSight")
    page.wait_for_function("() => document.body.dataset.model === 'ready'", timeout=90_000)
    page.locator("#feed-list[data-source=device]").wait_for()
    page.wait_for_timeout(500)
    fold = page.evaluate("() => innerHeight - document.getElementById('player').offsetHeight")
    on_screen = [row for row in first if row["top"] < fold]
    assert len(on_screen) >= 6
    assert cards_now(page)[:len(on_screen)] == on_screen


CARD_AT = """([x, y]) => document.elementFromPoint(x, y)?.closest('.track-card')?.dataset.trackId
    ?? null"""


AIM_MS = 600  # pwa/src/page/ui/feed.js: the list's wait for a moving pointer to rest
KEEP_MOVES = """() => {
  window.__moves = [];
  document.getElementById('feed-list').addEventListener('pointermove', (e) => {
    if (e.movementX || e.movementY) window.__moves.push(performance.now());
  });
}"""


def rested(moves: list[float], since: float, at: float) -> bool:
    """Whether the pointer rested AIM_MS between two of its moves (page times) after `since`
    and before `at` (or from its last move until `at`)."""
    times = [t for t in moves if t <= at] + [at]
    return any(b - a >= AIM_MS and b > since for a, b in zip(times, times[1:], strict=False))


def test_the_card_a_person_aims_at_does_not_slide_away(page: Page) -> None:
    """A listener moving the mouse onto a card as the song changes (here: → skips it) clicks the
    card they aimed at: the list waits for the pointer to rest or leave before re-ordering."""
    sign_up(page, unique_name("aim"))
    page.locator("#feed-list .track-card").first.get_by_role("button", name="Play").click()
    playing = heard_after(page, None)
    box = page.locator("#feed-list .track-card:not(.now)").nth(2).bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.evaluate(KEEP_MOVES)
    page.mouse.move(x, y)
    aimed = page.evaluate(CARD_AT, [x, y])
    assert aimed and aimed != playing
    page.mouse.move(x + 1, y)  # the hand is still moving
    page.keyboard.press("ArrowRight")  # the song changes while the pointer is on its way
    pressed = page.evaluate("() => performance.now()")
    under = []
    for step in range(15):  # 1.5 s of a hand still settling on the card
        page.mouse.move(x + (step % 3) - 1, y)
        page.wait_for_timeout(100)
        under.append(page.evaluate(f"([x, y]) => [({CARD_AT})([x, y]), performance.now()]", [x, y]))
    assert page.locator("#player").get_attribute("data-track-id") != playing  # it did change
    # The card under the pointer stayed the one aimed at, unless the hand rested meanwhile:
    # a busy machine (CI) can space two of this test's moves by more than the list's wait.
    moves = page.evaluate("() => window.__moves")
    slid = [at for card, at in under if card != aimed]
    assert all(rested(moves, pressed, at) for at in slid), (aimed, under, moves)
    # what plays is said at once, though: the skipped song no longer reads "Now playing", and
    # the card outlined as playing is the player's song
    skipped = page.locator(f"#feed-list .track-card[data-track-id='{playing}']")
    assert skipped.locator(".now-badge:visible").count() == 0
    assert "now" not in (skipped.get_attribute("class") or "").split()
    player = page.locator("#player").get_attribute("data-track-id")
    assert page.locator("#feed-list .track-card.now").evaluate_all(
        "cards => cards.map((c) => c.dataset.trackId)") in ([], [player])
    page.mouse.move(x, 2)  # the pointer leaves the list: the new order shows
    page.locator(f"#feed-list .track-card[data-track-id='{playing}']").wait_for(state="detached")
