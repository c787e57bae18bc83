"""E2E: playlists as a listener uses them — create one, add songs from the feed's track menus,
reorder by keyboard and by dragging, remove one; edits made offline reach the server when it is
back; two devices editing one playlist never overwrite each other silently (412: additions and
removals merge, a reorder asks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from .conftest import (
    PASSWORD,
    NetworkSwitch,
    Server,
    sign_up,
    unique_name,
    wait_until,
)

pytestmark = pytest.mark.e2e


def server_order(page: Page, playlist_id: str) -> list[str]:
    answer = page.request.get(f"/api/playlists/{playlist_id}")
    assert answer.ok, answer.text()
    return [t["id"] for t in answer.json()["tracks"]]


def page_order(page: Page) -> list[str]:
    return page.locator(".track-list .track-row").evaluate_all(
        "rows => rows.map(r => r.dataset.trackId)")


def make_playlist(page: Page, name: str, track_ids: list[str]) -> str:
    answer = page.request.post("/api/playlists", data={"name": name, "track_ids": track_ids},
                               headers={"X-Requested-With": "encore"})
    assert answer.status == 201, answer.text()
    playlist_id: str = answer.json()["id"]
    return playlist_id


def feed_ids(page: Page, n: int) -> list[str]:
    return page.locator("#feed-list .track-card").evaluate_all(
        f"cards => cards.slice(0, {n}).map(c => c.dataset.trackId)")


def test_a_playlist_without_a_name_is_asked_for_one_not_sent(page: Page, server: Server) -> None:
    sign_up(page, unique_name("noname"))
    page.get_by_role("link", name="Library").click()
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST"
            and r.url.endswith("/api/playlists") else None)
    name = page.get_by_label("New playlist")
    for typed in ("", "   "):
        name.fill(typed)
        page.get_by_role("button", name="Create").click()
        expect(page.locator("#new-playlist [role=alert]")).to_have_text("Name the playlist first.")
        expect(name).to_be_focused()
        expect(name).to_have_attribute("aria-invalid", "true")
    assert posts == []  # nothing sent, no 422 in the console
    name.fill("Road trip")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Road trip")


def test_create_add_from_menus_reorder_by_keyboard_and_drag(page: Page, server: Server) -> None:
    sign_up(page, unique_name("lists"))
    page.get_by_role("link", name="Library").click()
    page.get_by_label("New playlist").fill("Road trip")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Road trip")
    playlist_id = page.url.rsplit("/", 1)[1]

    page.get_by_role("link", name="Feed").click()
    wanted = feed_ids(page, 3)
    for track_id in wanted:
        card = page.locator(f"#feed-list .track-card[data-track-id='{track_id}']")
        card.get_by_role("button", name="More for").click()
        menu = page.get_by_role("menu")
        expect(menu.get_by_role("menuitem").first).to_be_focused()  # keyboard-ready
        menu.get_by_role("menuitem", name="Add to playlist…").click()
        page.get_by_role("dialog").get_by_role("button", name="Road trip").click()
        expect(page.locator("#toast")).to_contain_text("Road trip")
    wait_until(lambda: server_order(page, playlist_id) == wanted, message="three songs added")

    page.goto(f"/playlist/{playlist_id}")
    page.locator(".track-list .track-row").nth(2).wait_for()
    assert page_order(page) == wanted
    # keyboard: Alt+↑ on the second song moves it to the top
    second = page.locator(".track-row").nth(1)
    second.get_by_role("button", name="Play").focus()
    page.keyboard.press("Alt+ArrowUp")
    expected = [wanted[1], wanted[0], wanted[2]]
    wait_until(lambda: page_order(page) == expected, message="moved up on screen")
    wait_until(lambda: server_order(page, playlist_id) == expected, message="moved up, saved")
    # the "Move down" button, as a keyboard or touch user would
    page.locator(".track-row").nth(0).get_by_role("button", name="down").click()
    expected = [wanted[0], wanted[1], wanted[2]]
    wait_until(lambda: server_order(page, playlist_id) == expected, message="moved down, saved")
    # a reload shows the order the keyboard made
    page.locator(".track-row").nth(1).get_by_role("button", name="Play").focus()
    page.keyboard.press("Alt+ArrowDown")
    expected = [wanted[0], wanted[2], wanted[1]]
    wait_until(lambda: server_order(page, playlist_id) == expected, message="moved down by keys")
    page.reload()
    page.locator(".track-list .track-row").nth(2).wait_for()
    assert page_order(page) == expected
    # drag the last song onto the first
    page.locator(".track-row").nth(2).drag_to(page.locator(".track-row").nth(0))
    expected = [wanted[1], wanted[0], wanted[2]]
    wait_until(lambda: server_order(page, playlist_id) == expected, message="dragged, saved")
    # remove from the menu
    page.locator(".track-row").nth(1).get_by_role("button", name="More for").click()
    page.get_by_role("menuitem", name="Remove from this playlist").click()
    expected = [wanted[1], wanted[2]]
    wait_until(lambda: server_order(page, playlist_id) == expected, message="removed, saved")
    expect(page.locator("#playlist-count")).to_have_text("2 songs")


PENDING_EDITS = """() => new Promise((done, failed) => {
  const open = indexedDB.open("encore-edits");
  open.onerror = failed;
  open.onsuccess = () => {
    const count = open.result.transaction("edits").objectStore("edits").count();
    count.onsuccess = () => done(count.result);
    count.onerror = failed;
  };
})"""


def test_an_add_whose_answer_was_lost_is_in_the_playlist_once(browser: Browser,
                                                              server: Server) -> None:
    """The server adds the song but its answer never reaches the page (the connection drops,
    as when the page closes or reloads right after the add): the page keeps the add and sends
    it again, and the playlist holds the song once."""
    # no service worker: its requests are out of Playwright's reach, and edits go from the page
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 800},
                                  service_workers="block")
    page = context.new_page()
    sign_up(page, unique_name("lost"))
    playlist_id = make_playlist(page, "Road trip", [])
    dropped: list[str] = []

    def drop_the_first_answer(route: Route) -> None:
        if dropped:
            route.continue_()
            return
        route.fetch()  # the server gets the add and does it
        dropped.append(route.request.url)
        route.abort("connectionreset")  # and the page never hears back

    page.context.route("**/api/playlists/*/tracks", drop_the_first_answer)
    track_id = feed_ids(page, 1)[0]
    card = page.locator(f"#feed-list .track-card[data-track-id='{track_id}']")
    card.get_by_role("button", name="More for").click()
    page.get_by_role("menu").get_by_role("menuitem", name="Add to playlist…").click()
    page.get_by_role("dialog").get_by_role("button", name="Road trip").click()
    # (Playwright runs the route handler only inside its own calls: wait with one)
    wait_until(lambda: page.wait_for_timeout(50) or dropped, message="the first answer dropped")
    wait_until(lambda: page.evaluate(PENDING_EDITS) == 0, message="the page sent it again")
    assert server_order(page, playlist_id) == [track_id]
    context.close()


def test_an_offline_edit_syncs_when_the_server_is_back(browser: Browser, network: NetworkSwitch,
                                                        tmp_path: Path) -> None:
    context = browser.new_context(base_url=network.url, viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        sign_up(page, unique_name("offlinelist"))
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        tracks = feed_ids(page, 3)
        playlist_id = make_playlist(page, "Commute", tracks)
        page.goto(f"/playlist/{playlist_id}")
        page.locator(".track-row").nth(2).wait_for()

        context.set_offline(True)
        network.set_online(False)
        page.locator(".track-row").nth(0).get_by_role("button", name="down").click()
        page.locator(".track-row").nth(2).get_by_role("button", name="More for").click()
        page.get_by_role("menuitem", name="Remove from this playlist").click()
        expected = [tracks[1], tracks[0]]
        assert page_order(page) == expected  # shown at once, offline
        wait_until(lambda: page.evaluate("document.body.dataset.editsPending") not in (None, "0"),
                   message="edits kept on the device")

        network.set_online(True)
        context.set_offline(False)
        wait_until(lambda: server_order(page, playlist_id) == expected, timeout=40,
                   message="the offline edits arrive")
        wait_until(lambda: page.evaluate("document.body.dataset.editsPending") == "0",
                   message="nothing left to send")
    finally:
        context.close()


def _device(browser: Browser, server: Server, username: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)  # its first load installs the service worker too
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Your feed").wait_for()
    return context, page


def test_two_devices_merge_or_ask(browser: Browser, page: Page, server: Server) -> None:
    username = unique_name("twodev")
    sign_up(page, username)
    a, b, c = feed_ids(page, 3)
    playlist_id = make_playlist(page, "Shared", [a, b, c])
    laptop, phone = page, None
    phone_context, phone = _device(browser, server, username)
    try:
        laptop.goto(f"/playlist/{playlist_id}")
        laptop.locator(".track-row").nth(2).wait_for()
        phone.goto(f"/playlist/{playlist_id}")
        phone.locator(".track-row").nth(2).wait_for()
        # the laptop moves c to the top
        laptop.locator(".track-row").nth(2).get_by_role("button", name="up").click()
        laptop.locator(".track-row").nth(1).get_by_role("button", name="up").click()
        wait_until(lambda: server_order(laptop, playlist_id) == [c, a, b], message="laptop saved")
        # the phone, still showing version 1, removes b: a removal merges without asking
        row = phone.locator(f".track-row[data-track-id='{b}']")
        row.get_by_role("button", name="More for").click()
        with phone.expect_response(lambda r: r.url.endswith(f"/api/playlists/{playlist_id}/tracks")
                                   and r.status == 412):  # the stale version is refused
            phone.get_by_role("menuitem", name="Remove from this playlist").click()
        wait_until(lambda: server_order(phone, playlist_id) == [c, a], message="merged removal")
        wait_until(lambda: page_order(phone) == [c, a], message="the phone shows the merge")
        assert phone.get_by_role("dialog").count() == 0
        # the laptop (still on [c, a, b]) reorders: the other device changed it too, so it asks
        with laptop.expect_response(lambda r: r.url.endswith(f"/api/playlists/{playlist_id}/tracks")
                                    and r.status == 412):
            laptop.locator(f".track-row[data-track-id='{a}']").get_by_role(
                "button", name="up").click()
        assert server_order(laptop, playlist_id) == [c, a]  # nothing overwritten while it asks
        dialog = laptop.get_by_role("dialog")
        expect(dialog).to_contain_text("changed on another device")
        dialog.get_by_role("button", name="Keep my order").click()
        wait_until(lambda: server_order(laptop, playlist_id) == [a, c], message="my order kept")
        wait_until(lambda: page_order(laptop) == [a, c], message="the laptop shows it")
    finally:
        phone_context.close()
