"""E2E: a listener with a local folder of real MP3 and FLAC files (made by ffmpeg, scanned
and analysed by `python -m backend scan`) sees its progress in settings, plays one track to the
end, skips another, reads the analysed sound in the details, goes offline for real (the relay
is cut) and plays the next track from the offline cache."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Playwright

from tests.library.media import chord_progression, click_track, make_track
from tests.servers import REPO, EncoreProcess

from .conftest import (
    ARTIFACTS,
    NetworkSwitch,
    go_offline,
    open_profile,
    pinned_card,
    set_skip_threshold,
    sign_up,
    stored_interactions,
    unique_name,
    wait_until,
)

pytestmark = pytest.mark.e2e

ARTISTS = ["Ada Lind", "Bram Okafor", "Cleo Marlowe", "Dario Vance", "Elin Thorne",
           "Femi Quill", "Greta Sterling", "Hugo Yarrow"]


def _folder(root: Path) -> None:
    for n, artist in enumerate(ARTISTS):
        fmt = "mp3" if n % 2 == 0 else "flac"
        signal = (click_track(90 + 10 * n, 14.0) if n % 2 == 0
                  else chord_progression("CDEFGAB"[n % 7], "minor" if n % 3 else "major", 14.0))
        make_track(root / artist, f"{n:02d} song", fmt, signal=signal,
                   title=f"Song {n} of {artist.split()[0]}", artist=artist,
                   album=f"{artist} Live", genre="Rock" if n % 2 else "Electronic")
    (root / "broken.flac").write_bytes(b"fLaC not really")


@pytest.fixture(scope="module")
def library_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EncoreProcess]:
    music = tmp_path_factory.mktemp("music")
    _folder(music)
    data = tmp_path_factory.mktemp("library-data")
    env = {"ENCORE_LIBRARY_DIRS": str(music), "ENCORE_ANALYSIS_WORKERS": "1",
           "ENCORE_DATA_DIR": str(data)}
    scan = subprocess.run([sys.executable, "-m", "backend", "scan", "--workers", "2"],
                          cwd=REPO, env={**_environ(), **env}, capture_output=True, text=True,
                          timeout=600, check=False)
    assert scan.returncode == 0, scan.stderr[-2000:]
    assert "9 files: 9 read, 8 new, 0 gone, 1 failed" in scan.stdout
    assert "analysed 8 tracks" in scan.stdout
    process = EncoreProcess("serve", data, env=env)
    process.start()
    yield process
    process.stop()


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)


@pytest.fixture
def relay(library_server: EncoreProcess) -> Iterator[NetworkSwitch]:
    switch = NetworkSwitch(library_server.port)
    yield switch
    switch.close()


def test_local_folder_listening_details_and_offline(playwright: Playwright, relay: NetworkSwitch,
                                                     tmp_path: Path) -> None:
    context = open_profile(playwright, tmp_path / "profile", relay.url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_up(page, unique_name("local"))
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    cards = page.locator("#feed-list .track-card")
    ids = cards.evaluate_all("cards => cards.map(c => c.dataset.trackId)")
    assert len(ids) == 8 and all(i.startswith("local-") for i in ids)  # no demo tracks

    # Settings: the library is scanned and analysed; the broken file is named, with why.
    page.goto("/settings")
    summary = page.locator("#library-summary")
    wait_until(lambda: "8 tracks · 8 analysed · 0 waiting" in summary.inner_text(),
               message="library status")
    page.locator("#library-failures summary").click()
    assert "broken.flac" in page.locator("#library-failed").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#library-card").screenshot(path=ARTIFACTS / "settings-library.png")
    assert page.get_by_label("Your music folder").is_checked()
    # the only source: nothing to choose, so no box to untick into "Keep at least one source"
    assert page.get_by_label("Your music folder").is_disabled()
    page.goto("/")
    page.wait_for_function("() => document.body.dataset.model === 'ready'", timeout=60_000)

    # Details: the analysed sound, with numbers (a click track at 110 BPM, an MP3).
    cards.filter(has_text="Song 2 of Cleo").get_by_role("button", name="Details").click()
    facts = page.locator("#sound-facts")
    facts.wait_for()
    text = facts.inner_text()
    assert "Tempo\n110 BPM" in text or "Tempo\n55 BPM" in text, text
    assert "Key" in text and " dB" in text and "Hz" in text and "Rhythm strength" in text
    page.locator("#details").screenshot(path=ARTIFACTS / "details-local.png")
    page.get_by_role("button", name="Close details").click()

    # Play one to the end (hear 2.5 s, past a 2 s skip threshold, then drag to the end), then
    # skip the next after 3 s.
    set_skip_threshold(page, 2)
    first_id = cards.first.get_attribute("data-track-id")
    cards.first.get_by_role("button", name="Play").click()
    player = page.locator("#player")
    wait_until(lambda: int(player.get_attribute("data-position") or 0) > 2500, message="playback")
    page.get_by_label("Seek").evaluate(
        "el => { el.value = 960; el.dispatchEvent(new Event('input'));"
        " el.dispatchEvent(new Event('change')); }")
    wait_until(lambda: player.get_attribute("data-track-id") not in (None, first_id),
               message="auto-advance")
    second_id = player.get_attribute("data-track-id")
    wait_until(lambda: int(player.get_attribute("data-position") or 0) >= 3000, timeout=15,
               message="3 s of the next track")
    page.get_by_role("button", name="Next (skip)").click()
    stored = wait_until(lambda: len(s := stored_interactions(page)) >= 2 and s, message="stored")
    items = {i["track_id"]: i for i in stored}
    assert items[first_id]["type"] == "finished" and items[second_id]["type"] == "skipped"
    page.get_by_role("button", name="Pause").click()

    # The next tracks are cached for offline; cut the network for real and play one.
    page.locator(".track-card .offline-badge").first.wait_for()
    go_offline(context, relay)
    cached_id, cached = pinned_card(
        page, page.locator(".track-card:not(.now)", has=page.locator(".offline-badge")))
    assert cached_id.startswith("local-")
    cached.get_by_role("button", name="Play").click()
    wait_until(lambda: player.get_attribute("data-track-id") == cached_id
               and int(player.get_attribute("data-position") or 0) > 1000,
               message="offline playback of a local track")
    context.close()
