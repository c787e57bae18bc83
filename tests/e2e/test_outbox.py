"""E2E 4: while the server answers 500 to /api/interactions, interactions wait in the outbox;
when it recovers they all arrive, none lost and none doubled."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from .conftest import Server, heard_after, sign_up, stored_interactions, unique_name, wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture
def failing_interactions(server: Server) -> Iterator[Server]:
    with server.faulted(interactions_status=500):
        yield server


def pending(page: Page) -> int:
    return int(page.locator("body").get_attribute("data-outbox-pending") or -1)


def test_server_errors_lose_nothing_and_double_nothing(page: Page,
                                                      failing_interactions: Server) -> None:
    sign_up(page, unique_name("outbox"))
    page.locator("#feed-list .track-card").first.get_by_role("button", name="Play").click()
    playing = None
    for _ in range(2):
        playing = heard_after(page, playing)
        page.get_by_role("button", name="Next (skip)").click()
    heard_after(page, playing)
    page.keyboard.press("l")  # like the track now playing
    wait_until(lambda: pending(page) == 3, message="3 pending")
    banner = page.locator("#offline-banner")
    banner.wait_for()  # online, but the server is not taking them: say so
    # a listener's words: two skips and a like, not "3 plays"
    assert "2 plays and 1 like waiting to sync" in banner.inner_text()
    assert "interaction" not in banner.inner_text()
    assert stored_interactions(page) == []

    failing_interactions.fault(interactions_status=None)
    wait_until(lambda: pending(page) == 0, timeout=30, message="outbox drained")
    items = stored_interactions(page)
    assert sorted(i["type"] for i in items) == ["liked", "skipped", "skipped"]
    assert len({i["id"] for i in items}) == 3
    assert banner.is_hidden()
