"""A reload (or reopening the installed app) keeps the song that was playing, and where: the
player bar names it, paused at the place the listener left it; Play goes on from there. What was
heard before the reload counts with what is heard after it (one skip, never two); another user
signing in on the browser gets nothing of it, and signing out forgets it. A Spotify song comes
back too, and Play starts it in the Web Playback SDK (the emulator's) where it was."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import (
    PASSWORD,
    Server,
    playing,
    position,
    set_skip_threshold,
    sign_up,
    stored_interactions,
    unique_name,
    wait_until,
)
from .test_spotify import play_spotify_feed

pytestmark = pytest.mark.e2e


def recorded(page: Page, track_id: str) -> list[dict]:
    """The track's interactions, on the server or still in the outbox (one just sent can be in
    both for a moment: counted once)."""
    unsent = page.evaluate("async () => (await encore.outbox.pending()).map(r => ({id: r.id,"
                           " track_id: r.track_id, type: r.type, position_ms: r.position_ms}))")
    by_id = {i["id"]: i for i in [*stored_interactions(page), *unsent]}
    return [i for i in by_id.values() if i["track_id"] == track_id]


def test_a_reload_keeps_the_song_and_where_it_was(page: Page) -> None:
    name = unique_name("resume")
    sign_up(page, name)
    card = page.locator("#feed-list .track-card").first
    track_id = str(card.get_attribute("data-track-id"))
    title = page.evaluate("id => encore.queue.byId.get(id).name", track_id)
    card.get_by_role("button", name="Play").click()
    wait_until(lambda: playing(page) and position(page) > 5500, message="past 5 s")
    left_at = position(page)

    page.reload()
    player = page.locator("#player")
    wait_until(lambda: player.get_attribute("data-track-id") == track_id,
               message="the song resumed")
    assert page.locator("#player-title").inner_text() == title
    page.locator("#feed-list .track-card").first.wait_for()
    resumed_at = position(page)
    assert resumed_at >= left_at - 1000, (resumed_at, left_at)
    assert not playing(page)  # ready, not started by itself
    page.wait_for_timeout(500)
    assert position(page) == resumed_at  # and it stays there until Play
    # Shown once: the feed's "now playing" card, not also one of the cards up next.
    cards = page.locator("#feed-list .track-card").evaluate_all(
        "cards => cards.map(c => [c.dataset.trackId, c.classList.contains('now')])")
    assert [now for tid, now in cards if tid == track_id] == [True]
    assert track_id not in page.evaluate("() => encore.queue.order")
    assert recorded(page, track_id) == []  # the first visit's listening was never judged

    page.locator("#play-pause").click()
    wait_until(lambda: playing(page) and position(page) > resumed_at + 300, message="goes on")
    assert position(page) < resumed_at + 5000  # from where it was, not from 0 nor beyond
    heard_to = position(page)
    page.locator("#next").click()
    skipped = wait_until(lambda: recorded(page, track_id), message="the skip")
    # One skip, with what was heard in both visits together.
    assert [i["type"] for i in skipped] == ["skipped"]
    assert skipped[0]["position_ms"] >= left_at + (heard_to - resumed_at) - 1500

    # Another user on this browser gets nothing of it; signing out forgot it.
    wait_until(lambda: playing(page) and position(page) > 5500, message="the next song past 5 s")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Log in").wait_for()
    sign_up(page, unique_name("other"))
    page.reload()
    page.locator("#feed-list .track-card").first.wait_for()
    assert page.locator("#player-title").inner_text() == "Nothing playing"
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Log out").click()
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator("#feed-list .track-card").first.wait_for()
    page.reload()
    page.locator("#feed-list .track-card").first.wait_for()
    page.wait_for_timeout(500)
    assert page.locator("#player-title").inner_text() == "Nothing playing"


def test_a_resumed_song_played_to_the_end_counts_both_visits(page: Page) -> None:
    """5.5 s heard before the reload, a jump to the end after it: a finish (5 s threshold), once.
    Counting this visit alone (a few hundred ms) would call it a skip."""
    sign_up(page, unique_name("resumeend"))
    set_skip_threshold(page, 5)
    card = page.locator("#feed-list .track-card").first
    track_id = str(card.get_attribute("data-track-id"))
    card.get_by_role("button", name="Play").click()
    wait_until(lambda: playing(page) and position(page) > 5500, message="past 5 s")
    page.reload()
    wait_until(lambda: page.locator("#player").get_attribute("data-track-id") == track_id,
               message="the song resumed")
    page.locator("#play-pause").click()
    wait_until(lambda: playing(page), message="goes on")
    page.get_by_label("Seek").evaluate(
        "el => { el.value = 990; el.dispatchEvent(new Event('input'));"
        " el.dispatchEvent(new Event('change')); }")
    done = wait_until(lambda: recorded(page, track_id), message="judged")
    page.wait_for_timeout(1000)  # nothing more comes for it
    assert [i["type"] for i in recorded(page, track_id)] == ["finished"], done


# Counts the page's writes of the song it keeps (IndexedDB's meta store, key "now-playing"),
# and when the first and the last were made.
COUNT_KEPT_WRITES = """
window.keptWrites = [];
const put = IDBObjectStore.prototype.put;
IDBObjectStore.prototype.put = function (value, key) {
  if (key === "now-playing") window.keptWrites.push(performance.now());
  return put.apply(this, arguments);
};
"""


def test_a_reload_right_after_a_pause_resumes_where_it_paused(page: Page) -> None:
    """The song is kept about once a second while it plays (not at each of the player's several
    reports a second), and at once on a pause: a reload straight after it loses nothing."""
    page.add_init_script(COUNT_KEPT_WRITES)
    sign_up(page, unique_name("pause"))
    card = page.locator("#feed-list .track-card").first
    track_id = str(card.get_attribute("data-track-id"))
    card.get_by_role("button", name="Play").click()
    wait_until(lambda: playing(page) and position(page) > 1000, message="playing")
    page.evaluate("() => { window.keptWrites = []; window.countedFrom = performance.now(); }")
    wait_until(lambda: position(page) > 5000, message="past 5 s")
    writes, seconds = page.evaluate(
        "() => [keptWrites.length, (performance.now() - countedFrom) / 1000]")
    assert 1 <= writes <= seconds + 1, (writes, seconds)

    page.locator("#play-pause").click()
    wait_until(lambda: not playing(page), message="paused")
    paused_at = position(page)
    page.reload()
    wait_until(lambda: page.locator("#player").get_attribute("data-track-id") == track_id,
               message="the song resumed")
    page.locator("#feed-list .track-card").first.wait_for()
    assert abs(position(page) - paused_at) < 100, (position(page), paused_at)


def test_a_reload_keeps_a_spotify_song_and_play_starts_it_there(page: Page,
                                                                 server: Server) -> None:
    """The emulator's Spotify songs are 5 s tones: left 1.5 s in, the reload shows it paused
    there (the SDK's player not started: nothing plays by itself), and Play asks Spotify to
    play it from there, not from the start."""
    sign_up(page, unique_name("spotifyresume"))
    play_spotify_feed(page)
    player = page.locator("#player")
    page.locator("#feed-list .track-card").first.get_by_role("button", name="Play").click()
    track_id = wait_until(lambda: player.get_attribute("data-track-id"), message="a song plays")
    assert page.evaluate("id => encore.queue.byId.get(id).source", track_id) == "spotify"
    wait_until(lambda: playing(page) and position(page) > 1500, message="past 1.5 s")
    left_at = position(page)

    page.reload()
    wait_until(lambda: player.get_attribute("data-track-id") == track_id,
               message="the Spotify song resumed")
    resumed_at = position(page)
    assert left_at - 1000 <= resumed_at < 3000, (resumed_at, left_at)
    page.wait_for_function("() => document.body.dataset.spotify === 'ready'")
    page.wait_for_timeout(500)
    assert not playing(page) and position(page) == resumed_at  # waits for Play
    assert page.locator("#player-title").inner_text() != "Nothing playing"

    page.locator("#play-pause").click()
    wait_until(lambda: playing(page), message="Play starts it in the SDK")
    assert position(page) >= resumed_at - 300  # from where it was, not from 0
    playback = server.emulator.state.playback["premium-user"]
    uri = page.evaluate("id => encore.queue.byId.get(id)?.uri ?? encore.playback.current.track.uri",
                        track_id)
    assert playback.uris == [uri] and abs(playback.progress_ms - resumed_at) <= 50


def test_a_resumed_spotify_song_that_cannot_play_here_says_so(page: Page,
                                                               server: Server) -> None:
    """A new Spotify app (no previews) whose SDK refuses the account after the reload: the song
    still shows paused where it was, Play says it cannot be played here, and the player goes
    on with the demo catalog."""
    server.emulator.state.set(new_app_mode=True)
    try:
        sign_up(page, unique_name("spotifyrefused"))
        play_spotify_feed(page)
        player = page.locator("#player")
        page.locator("#feed-list .track-card").first.get_by_role("button", name="Play").click()
        track_id = wait_until(lambda: player.get_attribute("data-track-id"), message="a song")
        wait_until(lambda: playing(page) and position(page) > 1500, message="past 1.5 s")

        server.emulator.state.set(sdk_failure="account_error")
        page.reload()
        wait_until(lambda: player.get_attribute("data-track-id") == track_id,
                   message="the Spotify song resumed")
        page.wait_for_function("() => document.body.dataset.spotify === 'failed'")
        resumed_at = position(page)
        assert resumed_at > 500 and not playing(page)
        page.locator("#play-pause").click()
        expect(page.locator("#toast")).to_contain_text("can't be played here")
        assert player.get_attribute("data-track-id") == track_id and not playing(page)
        assert position(page) == resumed_at
        # the page says the demo catalog plays instead, and its songs come next (the list
        # takes them once it has them: on a busy machine after the Play above)
        expect(page.locator("#notice-banner")).to_contain_text("demo catalog instead")
        wait_until(lambda: (page.locator("#feed-list .track-card:not(.now)").first
                            .get_attribute("data-track-id") or "").startswith("demo-"),
                   message="the demo catalog listed")
        page.get_by_role("button", name="Next (skip)").click()
        wait_until(lambda: (player.get_attribute("data-track-id") or "").startswith("demo-")
                   and playing(page) and position(page) > 500, message="the demo catalog plays")
    finally:
        server.emulator.state.set(sdk_failure=None, new_app_mode=False)
