"""Issue 8, defect 8: the README's "Developing without a Spotify app" commands work as written.
The two documented lines run as they are (only the ports swapped for free ones and a fresh data
directory), and Chromium — with nothing routed — connects Spotify on the emulator's consent
page, sees the Spotify feed with its covers, and plays."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from tests.dynalite import free_port
from tests.pwa_dist import build_pwa

from .conftest import PASSWORD, ROOT, unique_name, wait_until

pytestmark = pytest.mark.e2e


def documented_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Developing without a Spotify app", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the README shows the commands in a sh block"
    return [line for line in block.group(1).splitlines() if line.strip()]


@pytest.fixture
def as_documented(tmp_path: Path) -> Iterator[str]:
    build_pwa()
    emulator_port, encore_port = free_port(), free_port()
    processes = []
    # Encore's default port is the documented 8000: the same swap, through its variable.
    env = {**os.environ, "ENCORE_DATA_DIR": str(tmp_path / "data"),
           "ENCORE_PORT": str(encore_port)}
    try:
        for line in documented_commands():
            command = line.replace("8900", str(emulator_port)).replace("8000", str(encore_port))
            with (tmp_path / f"{len(processes)}.log").open("wb") as log:
                processes.append(subprocess.Popen(["bash", "-c", command], cwd=ROOT, env=env,
                                                  stdout=log, stderr=subprocess.STDOUT,
                                                  start_new_session=True))
        url = f"http://127.0.0.1:{encore_port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if (httpx.get(f"{url}/healthz").status_code == 200
                        and httpx.get(f"http://127.0.0.1:{emulator_port}/").status_code < 500):
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, [p.read_text()[-1500:]
                                                 for p in tmp_path.glob("*.log")]
            time.sleep(0.2)
        yield url
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)


def test_the_readme_s_emulator_commands_work_as_written(browser: Browser,
                                                        as_documented: str) -> None:
    context = browser.new_context(base_url=as_documented, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text
            else None)
    page.goto("/signup")
    page.get_by_label("Username").fill(unique_name("readme"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.get_by_role("button", name="rock", exact=True).click()
    page.get_by_role("button", name="Connect Spotify").click()
    page.locator("select[name=user]").select_option("premium-user")
    page.get_by_role("button", name="Agree").click()
    page.get_by_role("button", name="Start listening").click()
    page.get_by_role("heading", name="Your feed").wait_for()
    page.wait_for_function("() => encore.queue.tracks[0]?.source === 'spotify'")
    covers = page.locator("#feed-list .track-card img.cover")
    covers.first.wait_for()
    wait_until(lambda: covers.first.evaluate("img => img.complete && img.naturalWidth > 0"),
               message="the cover shows")
    page.wait_for_function("() => document.body.dataset.spotify === 'ready'")
    page.locator("#feed-list .track-card").first.get_by_role("button", name="Play").click()
    player = page.locator("#player")
    wait_until(lambda: int(player.get_attribute("data-position") or 0) > 500, message="plays")
    assert blocked == []
    context.close()
