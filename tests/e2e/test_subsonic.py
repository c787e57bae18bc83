"""E2E through a real Subsonic server (Supysonic over generated MP3/Ogg/FLAC files): a listener
connects their account in the settings (a wrong password and a host this Encore does not allow
are refused in words first), plays a Subsonic track to the end — the server scrobbles it —
skips another — not scrobbled — then goes offline for real and plays the next cached track;
search finds the server's songs, and its artist and album pages open."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect

from tests.fakes.subsonic import run_subsonic
from tests.pwa_dist import build_pwa
from tests.servers import EncoreProcess
from tests.supysonic import SupysonicServer

from .conftest import (
    PASSWORD,
    NetworkSwitch,
    go_offline,
    open_profile,
    pinned_card,
    sign_up,
    stored_interactions,
    unique_name,
    wait_until,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def encore(tmp_path_factory: pytest.TempPathFactory,
           supysonic: SupysonicServer) -> Iterator[EncoreProcess]:
    build_pwa()  # the page as its sources are now
    process = EncoreProcess("serve", tmp_path_factory.mktemp("encore-subsonic"), {
        "ENCORE_TEST_HOOKS": "1", "ENCORE_SUBSONIC_ALLOWED_HOSTS": "127.0.0.1"})
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def relay(encore: EncoreProcess) -> Iterator[NetworkSwitch]:
    switch = NetworkSwitch(encore.port)
    yield switch
    switch.close()


@pytest.fixture
def context(playwright: Playwright, relay: NetworkSwitch,
            tmp_path: Path) -> Iterator[BrowserContext]:
    context = open_profile(playwright, tmp_path / "profile", relay.url)
    yield context
    context.close()


def connect_subsonic(page: Page, supysonic: SupysonicServer) -> None:
    """In the settings, as a listener would; the refusals are said plainly first."""
    page.goto("/settings")
    card = page.locator("section", has=page.get_by_role("heading", name="Subsonic"))
    card.get_by_text("Not connected.").wait_for()
    error = page.locator("#subsonic-error")

    card.get_by_label("Server address").fill(f"http://localhost:{supysonic.port}")
    card.get_by_label("Username", exact=True).fill(supysonic.username)
    card.get_by_label("Password", exact=True).fill(supysonic.password)
    card.get_by_role("button", name="Connect Subsonic").click()
    wait_until(lambda: "may not connect to localhost" in error.inner_text(),
               message="the host refusal")
    assert "ENCORE_" not in error.inner_text()  # a listener's words, not a setting's name

    card.get_by_label("Server address").fill(supysonic.url)
    card.get_by_label("Password", exact=True).fill("not the password")
    card.get_by_role("button", name="Connect Subsonic").click()
    wait_until(lambda: "Wrong username or password" in error.inner_text(),
               message="the wrong-password refusal")

    card.get_by_label("Password", exact=True).fill(supysonic.password)
    card.get_by_role("button", name="Connect Subsonic").click()
    status = page.locator("#subsonic-status")
    wait_until(lambda: status.inner_text().startswith(f"Connected to {supysonic.url} as "
                                                      f"{supysonic.username}"),
               message="connected")
    assert "Subsonic 1.12.0" in status.inner_text()
    assert page.locator("#subsonic-password").count() == 0  # the form is gone with the secret


def test_onboarding_tells_a_new_listener_they_can_bring_their_server(
        context: BrowserContext) -> None:
    """Where the operator allows Subsonic servers, a new listener hears of it before their
    first feed (Settings is where it is connected: walk-through)."""
    page = context.new_page()
    page.goto("/signup")
    page.get_by_label("Username").fill(unique_name("onb"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.get_by_role("heading", name="what do you like?").wait_for()
    expect(page.locator("#onb-subsonic")).to_contain_text("Subsonic or Navidrome server")


def test_listening_through_a_subsonic_server(context: BrowserContext, relay: NetworkSwitch,
                                             supysonic: SupysonicServer) -> None:
    page = context.new_page()
    page.set_default_timeout(30_000)
    heard_before = len(supysonic.listenbrainz.listens)  # Supysonic serves the whole session
    sign_up(page, unique_name("sub"))
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    connect_subsonic(page, supysonic)

    page.goto("/")
    cards = page.locator("#feed-list .track-card")
    cards.first.wait_for()
    wait_until(lambda: (cards.first.get_attribute("data-track-id") or "").startswith(
        "subsonic-"), message="a Subsonic feed")
    ids = cards.evaluate_all("cards => cards.map(c => c.dataset.trackId)")
    assert ids and all(i.startswith("subsonic-") for i in ids)

    # Play the first track to the end (they last 4.5 to 6 s); the player moves on by itself.
    first = cards.first
    first_id = first.get_attribute("data-track-id")
    first_title = first.locator("h3.title").inner_text()
    first.get_by_role("button", name="Play").click()
    player = page.locator("#player")
    wait_until(lambda: player.get_attribute("data-track-id") not in (None, first_id),
               timeout=30, message="the first track played to its end")
    second_id = player.get_attribute("data-track-id")
    wait_until(lambda: int(player.get_attribute("data-position") or 0) >= 1000,
               message="a second of the next track")
    second_title = page.locator("#player-title").inner_text()
    page.get_by_role("button", name="Next (skip)").click()

    def stored() -> dict[str, dict] | None:
        items = {i["track_id"]: i for i in stored_interactions(page)}
        return items if {first_id, second_id} <= set(items) else None

    items = wait_until(stored, message="the finish and the skip stored")
    assert items[first_id]["type"] == "finished" and items[second_id]["type"] == "skipped"

    # On the server: the finish is scrobbled (Supysonic passes it to ListenBrainz as a listen),
    # the skip is not, and the server saw the listener streaming (now playing).
    listens = supysonic.listenbrainz

    def scrobbled() -> list[str]:  # in this test
        return [x["title"] for x in listens.listens[heard_before:] if x["type"] == "single"]

    wait_until(lambda: first_title in scrobbled(), message="Supysonic's scrobble")
    assert second_title not in scrobbled()
    playing_now = [x["title"] for x in listens.listens[heard_before:]
                   if x["type"] == "playing_now"]
    assert first_title in playing_now and second_title in playing_now  # shown as they started
    assert supysonic.now_playing(), "Supysonic shows nothing playing"

    # The next tracks were cached as they came up; offline for real, one still plays.
    badge = page.locator(".track-card .offline-badge")
    wait_until(lambda: badge.count() >= 1, message="a Subsonic track available offline")
    page.get_by_role("button", name="Pause").click()
    go_offline(context, relay)
    cached_id, cached = pinned_card(
        page, page.locator(".track-card", has=page.locator(".offline-badge")))
    assert cached_id.startswith("subsonic-")
    cached.get_by_role("button", name="Play").click()
    wait_until(lambda: player.get_attribute("data-track-id") == cached_id
               and int(player.get_attribute("data-position") or 0) > 500,
               message="offline playback of a cached Subsonic track")
    context.set_offline(False)
    relay.set_online(True)


def test_search_finds_the_servers_songs_and_opens_its_artists_and_albums(
        context: BrowserContext, supysonic: SupysonicServer) -> None:
    """Walk-through: with only a Subsonic server, search said "Nothing found" for its songs and
    every artist or album link said "There is no artist with that id."."""
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_up(page, unique_name("subsearch"))
    connect_subsonic(page, supysonic)
    rock = [f"Rock Song {n}" for n in range(1, 5)]

    page.get_by_role("link", name="Search").click()
    box = page.get_by_label("Search Encore")
    box.press_sequentially("rock song", delay=40)
    songs = page.get_by_role("list", name="Songs").locator(".track-row")
    expect(songs).to_have_count(4)
    assert sorted(r.locator(".title").inner_text() for r in songs.all()) == rock
    box.fill("ada holm")  # by artist: her tile, and her songs
    artists = page.get_by_role("list", name="Artists")
    expect(artists).to_contain_text("Ada Holm")
    expect(songs).to_have_count(4)
    assert all("Ada Holm" in r.inner_text() for r in songs.all())
    artists.get_by_role("link").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Holm")
    rows = page.get_by_role("list", name="Songs by Ada Holm").locator(".track-row")
    expect(rows).to_have_count(4)
    page.locator(".tiles a", has_text="Rock Album").click()
    expect(page.locator(".kicker")).to_have_text("Album")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rock Album")
    album_rows = page.locator(".track-list .track-row")
    expect(album_rows).to_have_count(4)
    assert [r.locator(".title").inner_text() for r in album_rows.all()] == rock
    expect(page.locator("main")).not_to_contain_text("There is no")
    # a song of the album plays from the server
    album_rows.nth(1).get_by_role("button", name="Play").click()
    player = page.locator("#player")
    wait_until(lambda: player.get_attribute("data-track-id") == album_rows.nth(1).get_attribute(
        "data-track-id") and int(player.get_attribute("data-position") or 0) > 500,
        message="the album's song playing")
    page.get_by_role("button", name="Pause").click()


def test_a_failing_subsonic_server_is_said_and_encore_plays_on(context: BrowserContext) -> None:
    """The listener's server answers `status: failed` to the songs Encore asks for: the page
    says so in words, the demo catalog plays meanwhile, and once the server answers again
    the next feed is the listener's music with no notice left."""
    with run_subsonic(fail_code=0, fail_methods=["getRandomSongs"]) as server:
        page = context.new_page()
        page.set_default_timeout(30_000)
        sign_up(page, unique_name("subfail"))
        page.goto("/settings")
        card = page.locator("section", has=page.get_by_role("heading", name="Subsonic"))
        card.get_by_label("Server address").fill(server.url)
        card.get_by_label("Username", exact=True).fill("listener")
        card.get_by_label("Password", exact=True).fill("listen-password")
        card.get_by_role("button", name="Connect Subsonic").click()
        status = page.locator("#subsonic-status")
        wait_until(lambda: status.inner_text().startswith("Connected to"), message="connected")

        page.goto("/")
        notice = page.locator("#notice-banner")
        wait_until(lambda: "The Subsonic server reported an error (error 0" in
                   notice.inner_text(), message="the notice")
        assert "Playing the demo catalog" in notice.inner_text()
        cards = page.locator("#feed-list .track-card")
        first = cards.first
        assert (first.get_attribute("data-track-id") or "").startswith("demo-")
        first.get_by_role("button", name="Play").click()
        player = page.locator("#player")
        wait_until(lambda: (player.get_attribute("data-track-id") or "").startswith("demo-")
                   and int(player.get_attribute("data-position") or 0) > 500,
                   message="demo playback meanwhile")
        page.get_by_role("button", name="Pause").click()

        server.state.set(fail_code=None, fail_methods=None)
        page.reload()
        # the paused demo song is kept across the reload as the now-playing card; the feed
        # below it is the listener's music again
        up_next = page.locator("#feed-list .track-card:not(.now)")
        wait_until(lambda: (up_next.first.get_attribute("data-track-id") or "").startswith(
            "subsonic-"), message="the Subsonic feed back")
        assert notice.is_hidden()
