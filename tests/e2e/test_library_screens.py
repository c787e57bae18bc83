"""E2E: every screen around the feed (search, artist, album, liked, history, library, playlist,
queue, now playing, taste, account, the track menu and the add-to-playlist dialog) has no serious
or critical axe violation, fits 360 px without sideways scrolling and without two controls or
texts drawn over each other, in light and dark; each is captured at 360×780 and 1280×800 into
test-artifacts/."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from .conftest import Server, sign_up, unique_name
from .test_accessibility import serious_violations, shoot

pytestmark = pytest.mark.e2e
SIZES = ((360, 780), (1280, 800))
# Pairs of visible controls, images and texts (neither inside the other) whose boxes cross, in the
# open dialog or menu if there is one, else in the page's main part (the fixed bars excluded). A
# text counts by its letters' extent, and every box as far as it is seen: cut by every ancestor
# that clips (an ellipsis, a scroller).
OVERLAPS = """() => {
  const texts = "p, h1, h2, h3, label, .title, .artists, .time";
  const seen = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);  // a text's own extent, not its block's full width
    const r = el.matches(texts) ? range.getBoundingClientRect() : el.getBoundingClientRect();
    let box = { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    for (let up = el; up; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX === "visible" && style.overflowY === "visible") continue;
      const c = up.getBoundingClientRect();
      box = { left: Math.max(box.left, c.left), top: Math.max(box.top, c.top),
              right: Math.min(box.right, c.right), bottom: Math.min(box.bottom, c.bottom) };
    }
    return box;
  };
  const root = document.querySelector("dialog[open]")
    ?? [...document.querySelectorAll(".menu-popover")].find((m) => m.offsetParent !== null)
    ?? document.querySelector("main");
  const shown = [...root.querySelectorAll(
      "button, a, input, select, img, meter, h1, h2, h3, p, label, .title, .artists, .time")]
    .filter((el) => {
      const r = seen(el), style = getComputedStyle(el);
      return r.right - r.left > 2 && r.bottom - r.top > 2 && style.visibility !== "hidden"
        && !el.closest("[hidden]");
    });
  const found = [];
  const name = (el) => el.tagName.toLowerCase()
    + (el.className ? "." + String(el.className).trim().split(/\\s+/).join(".") : "")
    + " «" + (el.innerText || el.alt || "").slice(0, 30) + "»";
  for (let i = 0; i < shown.length; i++) {
    for (let j = i + 1; j < shown.length; j++) {
      const a = shown[i], b = shown[j];
      if (a.contains(b) || b.contains(a)) continue;
      const p = seen(a), q = seen(b);
      const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
      const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
      if (w > 2 && h > 2) found.push(name(a) + " × " + name(b));
    }
  }
  return found.slice(0, 5);
}"""


def check(page: Page, name: str) -> None:
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width, height in SIZES:
            path = shoot(page, f"{name}-{scheme}", width, height)
            assert path.stat().st_size > 5_000
            assert serious_violations(page) == [], (name, scheme, width)
            if width == 360:
                overflow = page.evaluate(
                    "() => document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, f"{name} ({scheme}) scrolls sideways by {overflow} px"
                assert page.evaluate(OVERLAPS) == [], f"{name} ({scheme}): drawn over each other"
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_every_library_screen_is_accessible_and_fits(page: Page, server: Server) -> None:
    sign_up(page, unique_name("screens"))
    first = page.locator("#feed-list .track-card").first
    first.get_by_role("button", name="Play").click()
    page.get_by_role("button", name="Like", exact=True).click()
    made = page.request.post("/api/playlists", data={"name": "Evening", "track_ids": [
        first.get_attribute("data-track-id")]}, headers={"X-Requested-With": "encore"})
    playlist_id = made.json()["id"]
    artist_href = first.locator(".artists a").first.get_attribute("href")

    def visit(path: str, ready: str) -> Callable[[], None]:
        def go() -> None:
            page.evaluate("path => { history.pushState({}, '', path);"
                          " dispatchEvent(new PopStateEvent('popstate')); }", path)
            page.locator(ready).first.wait_for()
        return go

    screens = [
        ("search", visit("/search?q=nocturne", "#search-results .track-row")),
        ("artist", visit(str(artist_href), ".browse .track-row")),
        ("liked", visit("/liked", ".track-row")),
        ("history", visit("/history", ".track-row")),
        ("library", visit("/playlists", "#playlist-list .tile")),
        ("playlist", visit(f"/playlist/{playlist_id}", ".track-row")),
        ("queue", visit("/queue", "#queue-title")),
        ("taste", visit("/taste", "#taste-summary")),
        ("account", visit("/account", "#password-form")),
    ]
    for name, go in screens:
        go()
        check(page, name)
    visit(str(artist_href), ".browse .tiles a")()
    page.locator(".browse .tiles a").first.click()
    page.locator(".browse .track-row").first.wait_for()
    check(page, "album")

    page.locator(".track-row").first.get_by_role("button", name="More for").click()
    page.get_by_role("menu").wait_for()
    check(page, "track-menu")
    page.get_by_role("menuitem", name="Add to playlist…").click()
    page.get_by_role("dialog").wait_for()
    check(page, "add-to-playlist")
    page.keyboard.press("Escape")

    page.get_by_role("button", name="Open now playing").click()
    page.get_by_role("dialog").wait_for()
    check(page, "now-playing")


def test_the_empty_library_s_hint_reads_across_the_page(page: Page, server: Server) -> None:
    """With no playlists yet, the hint spans the list; it was squeezed into one tile's column
    and wrapped word by word at 1280 px (walk-through)."""
    sign_up(page, unique_name("empty"))
    page.get_by_role("link", name="Library").click()
    hint = page.locator("#playlist-list .hint")
    hint.wait_for()
    widths = page.evaluate("""() => [document.querySelector('#playlist-list').clientWidth,
        document.querySelector('#playlist-list .hint').getBoundingClientRect().width]""")
    assert widths[1] >= 0.9 * widths[0], widths
