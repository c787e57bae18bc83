"""E2E: a listener whose Encore has only a small local folder (three short songs, scanned and
analysed by `python -m backend scan`), in real Chromium.

- Search offers the folder's songs and nothing of the demo catalog, which the feed does not play.
- The details panel says the sound in words and numbers a person reads, each quality once (no
  timbre coefficients, energy not twice).
- Once every song was heard, the feed says so and offers a way on (it went blank, without a
  word); "Play it all again" plays from the top, and a reload shows the songs again.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.library.media import chord_progression, click_track, make_track
from tests.servers import REPO, EncoreProcess

from .conftest import ARTIFACTS, sign_up, unique_name, wait_until

pytestmark = pytest.mark.e2e

SONGS = [("Ada Lind", "First Light", 100), ("Bram Okafor", "Second Wind", 128),
         ("Cleo Marlowe", "Third Rail", 84)]
SECONDS = 4.0

# The player's song, whether it plays and where, whether the feed shows its "now playing" card,
# and whether the feed says everything was heard: read at one moment.
SHOWN_NOW = """() => {
  const { trackId, playing, position } = document.getElementById("player").dataset;
  const card = `#feed-list .track-card.now[data-track-id="${trackId}"]`;
  return {track: trackId ?? null, playing: playing === "true", position: Number(position ?? 0),
          card: Boolean(trackId && document.querySelector(card)),
          empty: !document.getElementById("feed-empty").hidden};
}"""


@pytest.fixture(scope="module")
def small_library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EncoreProcess]:
    music = tmp_path_factory.mktemp("small-music")
    for n, (artist, title, bpm) in enumerate(SONGS):
        signal = click_track(bpm, SECONDS) if n != 1 else chord_progression("A", "minor", SECONDS)
        make_track(music / artist, f"{n:02d} {title}", "mp3", signal=signal, title=title,
                   artist=artist, album=f"{artist} EP", genre="Electronic")
    data = tmp_path_factory.mktemp("small-data")
    env = {"ENCORE_LIBRARY_DIRS": str(music), "ENCORE_ANALYSIS_WORKERS": "1",
           "ENCORE_DATA_DIR": str(data)}
    scan = subprocess.run([sys.executable, "-m", "backend", "scan", "--workers", "1"], cwd=REPO,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=600,
                          check=False)
    assert scan.returncode == 0, scan.stderr[-2000:]
    assert "analysed 3 tracks" in scan.stdout, scan.stdout
    process = EncoreProcess("serve", data, env=env)
    process.start()
    yield process
    process.stop()


@pytest.fixture
def listener(browser: Browser, small_library: EncoreProcess) -> Iterator[Page]:
    context = browser.new_context(base_url=small_library.url,
                                  viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    log: list[str] = []
    page.on("console", lambda m: log.append(f"console.{m.type}: {m.text}"))
    yield page
    print("\n--- the page's log ---\n" + "\n".join(log[-30:]))
    context.close()


def test_search_covers_what_the_feed_plays(listener: Page) -> None:
    page = listener
    sign_up(page, unique_name("folder"))
    ids = page.locator("#feed-list .track-card").evaluate_all(
        "cards => cards.map(c => c.dataset.trackId)")
    assert ids and all(i.startswith("local-") for i in ids)
    page.get_by_role("link", name="Search").click()
    box = page.get_by_label("Search Encore")
    box.fill("second wind")
    songs = page.get_by_role("list", name="Songs")
    expect(songs.locator(".track-row").first).to_contain_text("Second Wind")
    box.fill("nocturne")  # the demo catalog has many; this Encore's feed plays none of them
    expect(page.locator("#search-status")).to_contain_text("Nothing found")
    assert page.locator(".track-row").count() == 0
    answer = page.request.get("/api/search?q=a&limit=50").json()
    assert {t["source"] for t in answer["tracks"]} <= {"local"}
    assert {a["source"] for a in answer["artists"] + answer["albums"]} <= {"local"}


def test_details_say_the_sound_in_words_each_quality_once(listener: Page) -> None:
    page = listener
    sign_up(page, unique_name("sound"))
    card = page.locator("#feed-list .track-card", has_text="First Light")
    card.get_by_role("button", name="Details for").click()
    facts = page.locator("#sound-facts")
    text = facts.inner_text()
    assert re.search(r"Tempo\n(100|50) BPM · (medium|slow)", text), text
    assert "Key\n" in text and re.search(r"Loudness\n−?\d+\.\d dB · \w+", text), text
    assert "Timbre" not in text and not re.search(r"[+-]\d\.\d\d", text), text  # no MFCCs
    labels = facts.locator("dt").all_inner_texts()
    assert len(labels) == len(set(labels)) and labels.count("Energy") == 1, labels
    assert page.locator("#details").get_by_text("Energy", exact=True).count() == 1
    expect(facts.locator("dd[data-quality=energy] meter")).to_have_count(1)
    expect(facts.locator("dd[data-quality=energy]")).to_contain_text("%")


def test_everything_heard_says_so_and_plays_again_from_the_top(listener: Page) -> None:
    page = listener
    sign_up(page, unique_name("heardall"))
    cards = page.locator("#feed-list .track-card")
    offered = set(cards.evaluate_all("cards => cards.map(c => c.dataset.trackId)"))
    assert offered
    cards.first.get_by_role("button", name="Play").click()
    player = page.locator("#player")
    heard: set[str] = set()

    shown_while_playing: list[dict] = []  # what the feed showed while a song played on

    def all_heard() -> bool:  # each song plays to its end, the next starts on its own
        now = page.evaluate(SHOWN_NOW)
        if now["track"]:
            heard.add(now["track"])
        if now["playing"]:
            shown_while_playing.append(now)
        return heard >= offered and not now["playing"]

    wait_until(all_heard, timeout=60, message="every song played to its end")
    # A song's finish is judged 2 s before its end (here, half of it): its card stays until it
    # really ends, and "heard everything" waits for the last one's end.
    late = [n for n in shown_while_playing if n["position"] > SECONDS * 1000 - 1800]
    assert late, shown_while_playing
    assert all(n["card"] and not n["empty"] for n in shown_while_playing), [
        n for n in shown_while_playing if not n["card"] or n["empty"]]
    empty = page.locator("#feed-empty")
    expect(empty).to_be_visible()  # not a blank page
    expect(empty.get_by_role("heading")).to_have_text("You've heard everything in your feed")
    expect(empty).to_contain_text("from your music folder")
    again = empty.get_by_role("button", name="Play it all again")
    expect(again).to_be_visible()
    expect(empty.get_by_role("link", name="Search")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "feed-heard-everything.png")

    again.click()
    expect(cards.first).to_be_visible()
    wait_until(lambda: int(player.get_attribute("data-position") or 0) > 300
               and player.get_attribute("data-playing") == "true", message="playing again")
    expect(empty).to_be_hidden()

    page.get_by_role("button", name="Pause").click()
    page.reload()  # what a refresh of the page shows: the songs, never a blank feed
    expect(page.locator("#feed-list .track-card").first).to_be_visible()
    page.get_by_role("button", name="Refresh feed").click()
    expect(page.locator("#feed-list .track-card").first).to_be_visible()
    expect(page.locator("#feed-empty")).to_be_hidden()
