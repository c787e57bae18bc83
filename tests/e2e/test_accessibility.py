"""E2E 6: axe-core finds no serious or critical violations on sign-up, feed and settings; the feed
is captured at 360×780 and 1280×800 into test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from .conftest import ARTIFACTS, ROOT, Server, sign_up, unique_name

pytestmark = pytest.mark.e2e
AXE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text()


def serious_violations(page: Page) -> list[str]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE)  # through DevTools, so the page's CSP stays as it ships
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


def shoot(page: Page, name: str, width: int, height: int) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(150)  # let the layout settle after the resize (no state to poll)
    path = ARTIFACTS / f"{name}-{width}x{height}.png"
    page.screenshot(path=str(path))
    return path


def test_no_serious_accessibility_violations(page: Page, server: Server) -> None:
    page.goto("/signup")
    page.get_by_role("button", name="Sign up").wait_for()
    assert serious_violations(page) == []
    shoot(page, "signup", 360, 780)

    sign_up(page, unique_name("a11y"))
    page.locator(".track-card img.cover").first.wait_for()
    page.locator("#feed-list .track-card").first.get_by_role("button", name="Details").click()
    page.get_by_role("dialog").wait_for()
    assert serious_violations(page) == []
    for width, height in ((360, 780), (1280, 800)):
        assert shoot(page, "feed-details", width, height).stat().st_size > 10_000
    page.get_by_role("button", name="Close details").click()
    for width, height in ((360, 780), (1280, 800)):
        assert shoot(page, "feed", width, height).stat().st_size > 10_000

    page.get_by_role("link", name="Settings").click()
    page.get_by_role("heading", name="Settings").wait_for()
    assert serious_violations(page) == []
    shoot(page, "settings", 360, 780)
    shoot(page, "settings", 1280, 800)
