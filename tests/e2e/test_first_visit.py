"""A first visit on a new device: the first cards come before the service worker's install (its
~14 MB precache would compete with them), before the liked songs are asked for and before the
device's storage answers (slow on a fresh profile), and the first screenful of cards before the
rest of the list; none of it costs the listener anything afterwards: the whole list follows
below the screen, the app still works offline, a liked song shows liked, and what they do
meanwhile is recorded and reaches the server once."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, expect

from .conftest import (
    NEW_PASSWORD,
    PASSWORD,
    NetworkSwitch,
    Server,
    heard_after,
    new_password_elsewhere,
    open_profile,
    sign_up,
    stored_interactions,
    unique_name,
    wait_until,
)

pytestmark = pytest.mark.e2e

# What the page did first: the first card on screen, asking for the liked songs, or for the
# service worker.
ORDER = """
window.__order = [];
const register = ServiceWorkerContainer.prototype.register;
ServiceWorkerContainer.prototype.register = function (...args) {
  window.__order.push('service worker');
  return register.apply(this, args);
};
const fetchIt = window.fetch;
window.fetch = function (input, ...rest) {
  if (String(input?.url ?? input).includes('/api/me/liked')) window.__order.push('liked');
  return fetchIt.call(this, input, ...rest);
};
new MutationObserver(() => {
  if (document.querySelector('#feed-list .track-card') && !window.__order.includes('cards')) {
    window.__order.push('cards');
  }
}).observe(document, {childList: true, subtree: true});
"""

# The outbox's IndexedDB database opens only when the test says so: a device whose storage is
# slow to answer (opening it is a disk write on a fresh profile). The page gets a request that
# forwards the real one's events once released.
HELD_STORAGE = """
(() => {
  const open = IDBFactory.prototype.open;
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  window.__storageHeld = true;
  window.__releaseStorage = () => { window.__storageHeld = false; release(); };
  IDBFactory.prototype.open = function (name, version) {
    if (name !== 'encore') return open.call(this, name, version);
    const held = new EventTarget();
    Object.setPrototypeOf(held, IDBOpenDBRequest.prototype);
    for (const key of ['result', 'error', 'transaction', 'readyState', 'source',
                       'onsuccess', 'onerror', 'onupgradeneeded', 'onblocked']) {
      Object.defineProperty(held, key, {value: null, writable: true});
    }
    gate.then(() => {
      const real = open.call(this, name, version);
      for (const type of ['upgradeneeded', 'success', 'error', 'blocked']) {
        real.addEventListener(type, (event) => {
          held.readyState = real.readyState;
          held.transaction = real.transaction;
          held.error = real.error;
          held.result = type === 'error' ? undefined : real.result;
          const copy = type === 'upgradeneeded' || type === 'blocked'
            ? new IDBVersionChangeEvent(type, {oldVersion: event.oldVersion,
                                               newVersion: event.newVersion})
            : new Event(type);
          held.dispatchEvent(copy);
          held['on' + type]?.(copy);
        });
      }
    });
    return held;
  };
})();
"""


def sign_up_elsewhere(page: Page) -> None:
    """An account made on another device: this browser has never opened Encore."""
    answer = page.request.post("/api/auth/signup", headers={"X-Requested-With": "encore"},
                               data={"username": unique_name("first"), "password": PASSWORD})
    assert answer.ok, answer.text()


def test_first_cards_come_before_the_liked_songs_and_the_service_worker_and_offline_works_after(
        playwright: Playwright, network: NetworkSwitch, tmp_path: Path) -> None:
    context = open_profile(playwright, tmp_path / "profile", network.url)
    try:
        context.add_init_script(ORDER)
        page = context.new_page()
        page.set_default_timeout(30_000)
        sign_up_elsewhere(page)
        page.goto("/")
        cards = page.locator("#feed-list .track-card")
        cards.first.wait_for()
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        order = page.evaluate("() => window.__order")
        assert order[0] == "cards" and sorted(order[1:]) == ["liked", "service worker"], order
        shown = cards.evaluate_all("cards => cards.map(c => c.dataset.trackId)")[:5]
        # What offline shows is saved once the service worker controls the page.
        page.wait_for_function("async () => Boolean(await caches.match('/api/feed'))")

        context.set_offline(True)
        network.set_online(False)  # the service worker's requests fail too
        page.reload()
        cards.nth(4).wait_for()
        assert cards.evaluate_all("cards => cards.map(c => c.dataset.trackId)")[:5] == shown
        page.wait_for_function("() => document.body.dataset.model === 'ready'", timeout=90_000)
    finally:
        network.set_online(True)
        context.close()


def test_first_cards_do_not_wait_for_the_devices_storage(context: BrowserContext,
                                                         page: Page) -> None:
    context.add_init_script(HELD_STORAGE)
    sign_up_elsewhere(page)
    page.goto("/")
    first = page.locator("#feed-list .track-card").first
    first.wait_for()
    assert page.evaluate("() => window.__storageHeld")  # the cards did not wait for it

    # A skip while the storage is still held is kept, and sent once it answers.
    first.get_by_role("button", name="Play").click()
    skipped = heard_after(page, None)
    page.get_by_role("button", name="Next (skip)").click()
    heard_after(page, skipped)
    assert not [i for i in stored_interactions(page) if i["track_id"] == skipped]
    page.evaluate("() => window.__releaseStorage()")
    kinds = wait_until(lambda: Counter(i["type"] for i in stored_interactions(page)
                                       if i["track_id"] == skipped),
                       message="the skip at the server")
    page.wait_for_function("() => document.body.dataset.outboxPending === '0'")
    assert Counter(i["type"] for i in stored_interactions(page)
                   if i["track_id"] == skipped) == kinds == Counter({"skipped": 1})


# The feed's cards in the frame that first paints them (before that frame's layout, as the
# listener will see them), for comparing with the list once it is complete.
FIRST_FRAME = """
new MutationObserver((_, observer) => {
  if (!document.querySelector('#feed-list .track-card')) return;
  observer.disconnect();
  requestAnimationFrame(() => {
    window.__firstFrame = [...document.querySelectorAll('#feed-list .track-card')].map((c) => {
      const r = c.getBoundingClientRect();
      return {id: c.dataset.trackId, top: Math.round(r.top), left: Math.round(r.left)};
    });
  });
}).observe(document, {childList: true, subtree: true});
"""
CARDS = """() => [...document.querySelectorAll('#feed-list .track-card')].map((c) => {
    const r = c.getBoundingClientRect();
    return {id: c.dataset.trackId, top: Math.round(r.top), left: Math.round(r.left)}; })"""


@pytest.mark.parametrize("viewport", [(1280, 800), (1000, 700), (390, 844)],
                         ids=["three columns", "two columns", "a phone"])
def test_the_first_screenful_comes_first_and_the_rest_follows_below_it(
        page: Page, viewport: tuple[int, int]) -> None:
    """At any width (the feed's grid has one to three columns), the first frame holds every
    card the screen shows once the list is complete, the rest comes below it, nothing moves."""
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.add_init_script(FIRST_FRAME)
    sign_up_elsewhere(page)
    page.goto("/")
    page.wait_for_function("() => window.__firstFrame !== undefined")
    first = page.evaluate("() => window.__firstFrame")
    listed = page.evaluate("() => encore.queue.tracks.map((t) => t.id)")
    assert len(first) < len(listed) == 30  # the cards below the screen came later
    page.wait_for_function(
        "(n) => document.querySelectorAll('#feed-list .track-card').length === n", arg=len(listed))
    now = page.evaluate(CARDS)
    assert [c["id"] for c in now] == listed  # the whole list, in the feed's order
    assert now[:len(first)] == first  # what was on screen did not move
    visible = [c["id"] for c in now if c["top"] < page.evaluate("() => innerHeight")]
    assert set(visible) <= {c["id"] for c in first}  # and it filled the screen


def test_a_song_liked_elsewhere_shows_liked_when_played_before_the_liked_songs_come(
        page: Page) -> None:
    held: list[Route] = []
    page.route("**/api/me/liked?*", lambda route: held.append(route))  # slow to come
    sign_up_elsewhere(page)
    page.goto("/")
    first = page.locator("#feed-list .track-card").first
    track_id = first.get_attribute("data-track-id")
    answer = page.request.post("/api/interactions", headers={"X-Requested-With": "encore"}, data={
        "interactions": [{"id": str(uuid.uuid4()), "track_id": track_id, "type": "liked",
                          "position_ms": 0, "duration_ms": 1000, "at": int(time.time() * 1000)}]})
    assert answer.ok, answer.text()  # liked on another device
    first.get_by_role("button", name="Play").click()
    heart = page.locator("#like")
    page.locator(f"#player[data-track-id='{track_id}']").wait_for()
    assert heart.get_attribute("aria-pressed") == "false"  # not known here yet
    deadline = time.monotonic() + 30
    while not held and time.monotonic() < deadline:  # the route is heard while Playwright waits
        page.wait_for_timeout(100)
    assert held, "the liked songs were never asked for"
    held[0].continue_()  # they come (one page: a new listener likes one song)
    page.locator("#like[aria-pressed=true]").wait_for()


def test_a_signed_out_visit_logs_no_error_and_a_signed_in_one_asks_early(page: Page) -> None:
    """Every signed-out visit logged two errors (401s: /api/me and the feed, asked for before
    the page knew nobody was signed in); a signed-in first visit still asks for both while the
    page's script is on its way (preloads), so its first cards come as soon as before."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/")
    page.get_by_role("button", name="Log in").wait_for()
    page.wait_for_load_state("networkidle")
    assert errors == []

    sign_up_elsewhere(page)
    page.goto("/")
    page.locator("#feed-list .track-card").first.wait_for()
    early = page.evaluate("""() => performance.getEntriesByType('resource')
        .filter((r) => r.initiatorType === 'link' && r.name.includes('/api/'))
        .map((r) => new URL(r.name).pathname)""")
    assert sorted(early) == ["/api/feed", "/api/me"]

    errors.clear()  # signed out from the page: the log-in page again, without an error
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Log in").wait_for()
    page.wait_for_load_state("networkidle")
    assert errors == []


@pytest.mark.parametrize("page_from", ["the server", "the service worker"])
def test_a_session_ended_elsewhere_leaves_a_log_in_that_works(browser: Browser, server: Server,
                                                              page_from: str) -> None:
    """A new password chosen on another device ends this one's session, and this browser's
    signed-in hint stays until its next request: its next visit preloads /api/me and gets a
    401. The page's answer from the server carried the preloads twice (its Link header and
    preload.js), the browser kept the second, and the log-in's own /api/me took it: "Sign in
    first." under the right password, on every try (CI)."""
    context = browser.new_context(base_url=server.url, service_workers=(
        "block" if page_from == "the server" else "allow"))
    try:
        page = context.new_page()
        username = unique_name("moved")
        sign_up(page, username)
        if page_from == "the service worker":
            page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        new_password_elsewhere(browser, server, username)
        page.reload()  # this device, next time: its hint still says signed in
        page.get_by_role("button", name="Log in").wait_for()
        controlled = page.evaluate("() => navigator.serviceWorker.controller !== null")
        assert controlled == (page_from == "the service worker")
        for attempt in range(2):  # the log-in works, the first time and after a wrong one
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(PASSWORD if attempt == 0 else NEW_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            if attempt == 0:
                expect(page.locator(".form-error")).to_have_text("Wrong username or password.")
        page.get_by_role("heading", name="Your feed").wait_for()
        page.locator("#feed-list .track-card").first.wait_for()
    finally:
        context.close()
