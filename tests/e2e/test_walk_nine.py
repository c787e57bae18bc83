"""Defects a listener's walk through Encore found (ninth round), each as the listener met it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright

from tests.pwa_dist import build_pwa
from tests.servers import EncoreProcess
from tests.supysonic import SupysonicServer

from .conftest import (
    NetworkSwitch,
    Server,
    go_offline,
    heard_after,
    open_profile,
    sign_up,
    stored_interactions,
    unique_name,
    wait_until,
)

pytestmark = pytest.mark.e2e


def test_the_heart_lights_only_for_a_song_that_is_playing(page: Page, server: Server) -> None:
    """Nothing playing, the heart (or L) said "liked" though nothing was; L on a playing song
    likes it once, as the heart does, and puts it on Liked songs."""
    sign_up(page, unique_name("heart"))
    heart = page.locator("#like")
    page.get_by_role("heading", name="Your feed").click()  # no button has the focus
    heart.click()
    page.keyboard.press("l")
    page.wait_for_timeout(300)  # what the click would have changed has changed
    assert page.locator("#player-title").inner_text() == "Nothing playing"
    assert heart.get_attribute("aria-pressed") == "false"

    page.locator("#feed-list .track-card").first.get_by_role("button", name="Play").click()
    player = page.locator("#player")
    wait_until(lambda: int(player.get_attribute("data-position") or 0) > 300, message="playback")
    track_id = player.get_attribute("data-track-id")
    page.get_by_role("heading", name="Your feed").click()
    page.keyboard.press("l")
    page.keyboard.press("l")  # a second press keeps it liked, once
    wait_until(lambda: heart.get_attribute("aria-pressed") == "true", message="the heart")
    wait_until(lambda: any(i["type"] == "liked" for i in stored_interactions(page)),
               message="the like stored")
    page.wait_for_timeout(500)
    likes = [i for i in stored_interactions(page) if i["type"] == "liked"]
    assert [i["track_id"] for i in likes] == [track_id]
    liked = page.request.get("/api/me/liked").json()["tracks"]
    assert [t["id"] for t in liked] == [track_id]


def skip_three(page: Page) -> tuple[list[str], str]:
    """Play, and skip three songs once each is heard: their ids, and the song playing after."""
    page.locator("#play-pause").click()
    heard: list[str] = []
    playing = heard_after(page, None)
    for _ in range(3):
        heard.append(playing)
        page.get_by_role("button", name="Next (skip)").click()
        playing = heard_after(page, playing)
    return heard, playing


def test_songs_skipped_before_an_offline_reload_stay_heard(playwright: Playwright,
                                                            network: NetworkSwitch,
                                                            tmp_path: Path) -> None:
    """Three songs skipped, then the train goes into a tunnel and the page is reloaded: the
    saved feed came back with the three skipped songs at its top (walk-through)."""
    context = open_profile(playwright, tmp_path / "profile", network.url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_up(page, unique_name("tunnel"), unhurried=True)
    heard, playing = skip_three(page)
    wait_until(lambda: page.evaluate("document.body.dataset.outboxPending") == "0",
               message="the skips sent")
    go_offline(context, network)
    page.reload()
    cards = page.locator("#feed-list .track-card")
    cards.first.wait_for()
    shown = cards.evaluate_all("cards => cards.map(c => c.dataset.trackId)")
    assert playing in shown  # the song that was playing is still there
    assert not set(heard) & set(shown), "skipped songs came back"
    context.close()


# Notes in sessionStorage (it outlives a reload) each time a page hands the service worker a feed
# to keep for offline, with the page's time origin to tell the pages apart.
NOTE_FEED_SAVES = """
const post = ServiceWorker.prototype.postMessage;
ServiceWorker.prototype.postMessage = function (message, ...rest) {
  if (message?.type === "CACHE_USER_DATA" && message.entries.some((e) => e.path === "/api/feed")) {
    const saves = JSON.parse(sessionStorage.getItem("feedSaves") ?? "[]");
    sessionStorage.setItem("feedSaves", JSON.stringify([...saves, performance.timeOrigin]));
  }
  return post.call(this, message, ...rest);
};
"""


def test_a_burst_of_skips_saves_the_offline_feed_once(playwright: Playwright,
                                                      network: NetworkSwitch,
                                                      tmp_path: Path) -> None:
    """Three quick skips hand the service worker the ~165 KB feed once, not three times; a
    reload straight after them, offline, still leaves them out (the feed is saved as the page
    goes away)."""
    context = open_profile(playwright, tmp_path / "profile", network.url)
    context.add_init_script(NOTE_FEED_SAVES)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_up(page, unique_name("burst"), unhurried=True)
    this_page = page.evaluate("() => { sessionStorage.removeItem('feedSaves');"
                              " return performance.timeOrigin; }")  # (the first feed's save)
    heard, _ = skip_three(page)
    go_offline(context, network)
    page.reload()
    cards = page.locator("#feed-list .track-card")
    cards.first.wait_for()
    shown = cards.evaluate_all("cards => cards.map(c => c.dataset.trackId)")
    assert not set(heard) & set(shown), "skipped songs came back"
    saves = page.evaluate("() => JSON.parse(sessionStorage.getItem('feedSaves') ?? '[]')")
    assert saves.count(this_page) == 1, saves
    context.close()


def test_a_subsonic_feed_heard_through_says_so_in_words(browser: Browser,
                                                        supysonic: SupysonicServer,
                                                        tmp_path: Path) -> None:
    """Every song of a Subsonic feed heard: the end of the feed said "null" under its buttons
    (a hint only the music folder has, missing for every other source: walk-through)."""
    build_pwa()
    encore = EncoreProcess("serve", tmp_path / "data",
                           {"ENCORE_SUBSONIC_ALLOWED_HOSTS": "127.0.0.1"}).start()
    context = browser.new_context(base_url=encore.url, viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        sign_up(page, unique_name("through"))
        answer = page.request.post("/api/subsonic/connect", headers={"X-Requested-With": "encore"},
                                   data={"url": supysonic.url, "username": supysonic.username,
                                         "password": supysonic.password})
        assert answer.ok, answer.text()
        page.reload()
        cards = page.locator("#feed-list .track-card")
        wait_until(lambda: (cards.first.get_attribute("data-track-id") or "").startswith(
            "subsonic-"), message="a Subsonic feed")
        page.locator("#play-pause").click()
        empty = page.locator("#feed-empty")
        playing = heard_after(page, None)
        while not empty.is_visible():  # sixteen songs, each skipped once heard
            page.get_by_role("button", name="Next (skip)").click()
            wait_until(lambda left=playing: empty.is_visible() or page.locator(
                "#player").get_attribute("data-track-id") != left, message="the next song")
            if not empty.is_visible():
                playing = heard_after(page, None)
        assert "You've heard everything in your feed" in empty.inner_text()
        assert "from your Subsonic server" in empty.inner_text()
        assert "null" not in empty.inner_text()
    finally:
        context.close()
        encore.stop()


def test_closing_the_details_gives_the_focus_back(page: Page, server: Server) -> None:
    """Details opened from the keyboard and closed (Escape, or its close button): the focus
    fell to the page's start, and the keyboard listener had to find their card again."""
    sign_up(page, unique_name("details"))
    card = page.locator("#feed-list .track-card").first
    name = card.locator("h3.title").inner_text()
    opener = card.get_by_role("button", name=f"Details for {name}")
    opener.focus()
    page.keyboard.press("Enter")
    close = page.get_by_role("button", name="Close details")
    wait_until(lambda: close.evaluate("e => e === document.activeElement"), message="details")
    page.keyboard.press("Escape")
    assert page.locator("#details").is_hidden()
    assert opener.evaluate("e => e === document.activeElement")

    page.keyboard.press("Enter")  # opened again, closed with its button
    wait_until(lambda: close.evaluate("e => e === document.activeElement"), message="details")
    page.keyboard.press("Enter")
    assert page.locator("#details").is_hidden()
    assert opener.evaluate("e => e === document.activeElement")


def test_a_page_opened_from_the_keyboard_keeps_the_focus_on_the_page(page: Page,
                                                                      server: Server) -> None:
    """Start listening, or an artist's name, pressed with Enter: the control went with the old
    page and the focus fell to the document's start; it goes to the new page's content."""
    in_main = "() => document.getElementById('main').contains(document.activeElement)"
    page.goto("/signup")
    page.get_by_label("Username").fill(unique_name("keys"))
    page.get_by_label("Password").fill("listen-to-the-end")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="what do you like?").wait_for()
    page.get_by_role("button", name="jazz", exact=True).focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Start listening").focus()
    page.keyboard.press("Enter")
    page.locator("#feed-list .track-card").first.wait_for()
    assert page.evaluate(in_main)

    artist = page.locator("#feed-list .track-card").first.locator(".artists a").first
    name = artist.inner_text()
    artist.focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=name).wait_for()
    assert page.evaluate(in_main)
    page.keyboard.press("Tab")  # and the keyboard goes on from there, into the artist's page
    assert page.evaluate(in_main)


@pytest.mark.parametrize("width", [820, 1000, 1280])
def test_the_player_bar_names_the_song_at_every_width(browser: Browser, server: Server,
                                                      width: int) -> None:
    """From 800 px the bar went to one row that had no room for the title: at 820 px the song's
    name was cut to nothing and the volume slider ran past the screen's edge (walk-through)."""
    context = browser.new_context(base_url=server.url, viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        sign_up(page, unique_name("width"))
        page.locator("#feed-list .track-card").first.get_by_role("button", name="Play").click()
        title = page.locator("#player-title")
        wait_until(lambda: title.inner_text() != "Nothing playing", message="a song playing")
        bar = page.evaluate("""() => {
          const player = document.getElementById('player');
          const outside = [...player.querySelectorAll('button, input, a')].filter((e) => {
            const box = e.getBoundingClientRect();
            return box.width > 0 && (box.right > innerWidth + 0.5 || box.left < -0.5);
          }).map((e) => e.id || e.getAttribute('aria-label'));
          const t = document.getElementById('player-title');
          return {outside, sideways: player.scrollWidth > player.clientWidth,
                  shown: t.clientWidth, needs: t.scrollWidth};
        }""")
        assert bar["outside"] == [] and not bar["sideways"], bar
        assert bar["shown"] >= min(bar["needs"], 120), bar  # the name, or ten letters of it
    finally:
        context.close()


def test_songs_played_from_a_search_say_they_come_from_the_search(page: Page,
                                                                   server: Server) -> None:
    """Now playing said "PLAYING FROM “DARIO PEMBERTN”": the listener's typo, in capitals, as
    if it were a playlist's name (walk-through); it says it is their search."""
    sign_up(page, unique_name("typo"))
    page.get_by_role("link", name="Search").click()
    page.get_by_label("Search Encore").fill("nocturen")
    songs = page.get_by_role("list", name="Songs")
    songs.locator(".track-row").first.get_by_role("button", name="Play").click()
    wait_until(lambda: page.locator("#player-title").inner_text() != "Nothing playing",
               message="a song playing")
    page.get_by_role("button", name="Open now playing").click()
    kicker = page.get_by_role("dialog").locator(".kicker")
    assert kicker.inner_text().lower() == "playing from your search “nocturen”"
    page.keyboard.press("Escape")
    page.get_by_role("link", name="Queue").click()
    page.get_by_role("heading", name="Next from your search “nocturen”").wait_for()
