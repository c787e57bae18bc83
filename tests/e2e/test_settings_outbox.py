"""The outbox in settings: interactions the server refuses (a 4xx) are kept as failed, shown with
the server's reason and a Retry button, and arrive exactly once after a retry; logging out with
interactions still waiting asks first, and staying keeps them to be sent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from .conftest import (
    NetworkSwitch,
    Server,
    route_spotify,
    sign_up,
    stored_interactions,
    unique_name,
    wait_until,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def refusing_interactions(server: Server) -> Iterator[Server]:
    with server.faulted(interactions_status=422):
        yield server


def play_then_skip(page: Page) -> str:
    """Play the top track for a moment and skip it; returns the skipped track's id."""
    first = page.locator("#feed-list .track-card").first
    track_id = first.get_attribute("data-track-id")
    first.get_by_role("button", name="Play").click()
    player = page.locator("#player")
    wait_until(lambda: int(player.get_attribute("data-position") or 0) > 300, message="playback")
    page.get_by_role("button", name="Next (skip)").click()
    return track_id


def test_refused_interaction_is_shown_and_retried_once(page: Page,
                                                       refusing_interactions: Server) -> None:
    sign_up(page, unique_name("deadletter"))
    skipped_id = play_then_skip(page)
    page.wait_for_function("async () => (await encore.outbox.failed()).length === 1")
    page.get_by_role("button", name="Pause").click()

    page.get_by_role("link", name="Settings").click()
    refused = page.locator("#outbox-failed li")
    refused.first.wait_for()
    assert refused.count() == 1
    text = refused.inner_text()
    name = page.evaluate("id => encore.queue.byId.get(id).name", skipped_id)
    assert f"Skipped “{name}”" in text and "test switch" in text  # the song, by name
    assert page.locator("#outbox-failed-count").inner_text() == "1"
    assert page.locator("#outbox-pending-count").inner_text() == "0"
    # A heading only over a list with something in it (an empty "Waiting" read as a blank).
    expect(page.get_by_role("heading", name="Refused", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Waiting", exact=True)).to_be_hidden()
    assert stored_interactions(page) == []

    refusing_interactions.fault(interactions_status=None)
    page.get_by_role("button", name="Retry failed").click()
    wait_until(lambda: refused.count() == 0, message="failed list empties")
    expect(page.get_by_role("heading", name="Refused", exact=True)).to_be_hidden()
    items = wait_until(lambda: stored_interactions(page), message="stored")
    assert [(i["track_id"], i["type"]) for i in items] == [(skipped_id, "skipped")]
    assert page.locator("#outbox-failed-count").inner_text() == "0"
    assert page.get_by_role("button", name="Retry failed").is_disabled()
    page.wait_for_timeout(1500)  # no late second copy from a flush in flight
    assert len(stored_interactions(page)) == 1


@pytest.fixture
def relayed(browser: Browser, server: Server,
            network: NetworkSwitch) -> Iterator[BrowserContext]:
    """A context that reaches the server through the cuttable relay (page and service worker)."""
    context = browser.new_context(base_url=network.url, viewport={"width": 1280, "height": 800})
    route_spotify(context, server)
    yield context
    context.unroute_all(behavior="ignoreErrors")
    context.close()


def test_logout_with_pending_interactions_asks_first(relayed: BrowserContext,
                                                     network: NetworkSwitch) -> None:
    page = relayed.new_page()
    page.set_default_timeout(20_000)
    sign_up(page, unique_name("logoutwarn"))
    first = page.locator("#feed-list .track-card").first
    skipped_id = first.get_attribute("data-track-id")
    first.get_by_role("button", name="Play").click()
    player = page.locator("#player")
    wait_until(lambda: int(player.get_attribute("data-position") or 0) > 300, message="playback")

    relayed.set_offline(True)
    network.set_online(False)
    page.get_by_role("button", name="Next (skip)").click()
    wait_until(lambda: page.locator("body").get_attribute("data-outbox-pending") == "1",
               message="1 pending")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Log out").click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    assert "1 play hasn't reached the server yet" in dialog.inner_text()
    dialog.get_by_role("button", name="Stay logged in").click()
    dialog.wait_for(state="detached")
    assert page.get_by_role("heading", name="Settings").is_visible()
    assert page.locator("#outbox-pending-count").inner_text() == "1"
    assert "/settings" in page.url

    network.set_online(True)
    relayed.set_offline(False)
    wait_until(lambda: page.locator("body").get_attribute("data-outbox-pending") == "0",
               timeout=30, message="sent once online")
    items = stored_interactions(page)  # also proves the session survived the cancelled logout
    assert [(i["track_id"], i["type"]) for i in items] == [(skipped_id, "skipped")]
