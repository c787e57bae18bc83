"""The PWA as a person sees it, in Chromium (printed, not a test). Median and range of several
runs; every time is from the navigation (or the click) to what shows on screen:

- feed on screen: the first track card is in the document and painted (first visit; a browser
  opened again with the same profile, "warm"; and truly offline: the server cut at a relay, so
  the service worker's network requests fail too, not only the page's);
- model ready: the page says the on-device model is ready (cold: the first visit; warm: a
  browser opened again; offline);
- play → audio advancing: from the click on Play to the player's position moving (a track not
  yet saved, fetched from the server; a track saved on the device);
- the device re-ranking the ~200-track pool: 5 calls in a row right after a warm start with
  nothing learned between them (the median of the 5), then 5 more each after a play the
  device learned (the page's case: the learner, the memory and the recent plays changed);
- the precache and the saved Pyodide memory (MB).

    .venv/bin/python -m bench.pwa [--runs 3]

Figures were taken on a shared 2-core machine: compare rows within one run's output.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, Playwright, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.pwa_dist import build_pwa
from tests.relay import NetworkSwitch
from tests.servers import EncoreProcess

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
LONG = 180_000

# Installed before the page's own scripts: stamps (performance.now(), i.e. ms since the
# navigation started) when the first card is painted and when the model is ready on screen.
WATCH = """
window.__seen = {};
const stamp = (name) => { window.__seen[name] ??= performance.now(); };
new MutationObserver(() => {
  if (document.querySelector('#feed-list .track-card') && !window.__seen.feed) {
    requestAnimationFrame(() => stamp('feed'));
  }
  if (document.body?.dataset.model === 'ready') stamp('model');
}).observe(document, {childList: true, subtree: true, attributes: true,
                      attributeFilter: ['data-model']});
"""


@contextmanager
def encore() -> Iterator[tuple[str, NetworkSwitch]]:
    build_pwa()
    with tempfile.TemporaryDirectory() as data:
        process = EncoreProcess("serve", Path(data)).start()
        relay = NetworkSwitch(process.port)
        try:
            yield process.url, relay
        finally:
            relay.close()
            process.stop()


def open_browser(p: Playwright, profile: Path, url: str, offline: bool = False) -> BrowserContext:
    context = p.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=ARGS, base_url=url, offline=offline,
        viewport={"width": 1280, "height": 800})
    context.add_init_script(WATCH)
    return context


def seen(page: Page, name: str) -> float:
    page.wait_for_function(f"() => window.__seen?.{name} !== undefined", timeout=LONG)
    value: float = page.evaluate(f"() => window.__seen.{name}")
    return value


def play_to_sound(page: Page, card: str) -> float:
    """ms from the click on the card's Play to the player's position moving."""
    page.evaluate("""(selector) => {
        window.__clicked = performance.now();
        const player = document.getElementById('player');
        new MutationObserver((_, observer) => {
            if (Number(player.dataset.position || 0) > 0 && player.dataset.playing === 'true') {
                window.__sounding = performance.now();
                observer.disconnect();
            }
        }).observe(player, {attributes: true});
        document.querySelector(selector).querySelector('button.play').click();
    }""", card)
    page.wait_for_function("() => window.__sounding !== undefined", timeout=LONG)
    value: float = page.evaluate("() => window.__sounding - window.__clicked")
    return value


def sign_up_elsewhere(page: Page, prefix: str) -> None:
    """A new account made through the API: this browser has never opened Encore."""
    answer = page.request.post("/api/auth/signup", headers={"X-Requested-With": "encore"},
                               data={"username": f"{prefix}{uuid.uuid4().hex[:12]}",
                                     "password": "benchmark-pw"})
    assert answer.ok, answer.text()


def one_run(p: Playwright, url: str, relay: NetworkSwitch, profile: Path) -> dict[str, float]:
    out: dict[str, float] = {}
    context = open_browser(p, profile, relay.url)
    page = context.new_page()
    sign_up_elsewhere(page, "b")
    page.goto("/")
    out["feed on screen, first visit"] = seen(page, "feed")
    out["model ready, first visit (cold)"] = seen(page, "model")
    try:  # a build that saves Pyodide's memory does it right after the first start
        page.wait_for_function("""async () => (await caches.has('encore-model-snapshot-v1'))
            && (await (await caches.open('encore-model-snapshot-v1')).keys()).length > 0""",
                               timeout=30_000)
    except PlaywrightTimeout:
        pass  # an older build: nothing to wait for
    out["play → audio advancing, not saved"] = play_to_sound(
        page, "#feed-list .track-card:nth-child(1)")
    page.wait_for_function("() => document.querySelectorAll('.offline-badge').length >= 3",
                           timeout=LONG)
    page.evaluate("() => document.querySelector('#play-pause').click()")  # pause
    context.close()

    context = open_browser(p, profile, relay.url)
    page = context.new_page()
    page.goto("/")
    out["feed on screen, warm (browser reopened)"] = seen(page, "feed")
    out["model ready, warm (browser reopened)"] = seen(page, "model")
    saved = page.evaluate("""() => { const card = [...document.querySelectorAll(
        '#feed-list .track-card')].find(c => c.querySelector('.offline-badge')
        && !c.classList.contains('now')); card?.setAttribute('data-bench', 'saved');
        return Boolean(card); }""")
    if saved:
        out["play → audio advancing, saved"] = play_to_sound(page, "[data-bench=saved]")
    timings: dict[str, Any] = page.evaluate("""async () => {
        const pool = encore.queue.candidates();
        const times = [];
        for (let i = 0; i < 5; i++) {
            const t = performance.now();
            await encore.model.rank(pool, 30);
            times.push(performance.now() - t);
        }
        return {times, pool: pool.length};
    }""")
    out[f"device re-ranks {timings['pool']} tracks"] = statistics.median(timings["times"])
    after_plays: list[float] = page.evaluate("""async () => {
        const times = [];
        for (const track of encore.queue.candidates().slice(0, 5)) {
            await encore.model.learn({id: crypto.randomUUID(), track_id: track.id,
                type: 'finished', position_ms: track.duration_ms,
                duration_ms: track.duration_ms, at: Date.now()}, track);
            const pool = encore.queue.candidates().filter((t) => t.id !== track.id);
            const t = performance.now();
            await encore.model.rank(pool, 30);
            times.push(performance.now() - t);
        }
        return times;
    }""")
    out["device re-ranks after a play"] = statistics.median(after_plays)
    out["precache (MB)"] = cache_mb(page, "encore-static")
    out["saved Pyodide memory (MB)"] = cache_mb(page, "encore-model-snapshot")
    context.close()

    relay.set_online(False)  # the server is gone for the browser and its service worker
    try:
        context = open_browser(p, profile, relay.url, offline=True)
        page = context.new_page()
        page.goto("/")
        out["feed on screen, offline (server unreachable)"] = seen(page, "feed")
        out["model ready, offline"] = seen(page, "model")
        context.close()
    finally:
        relay.set_online(True)
    return out


def cache_mb(page: Page, prefix: str) -> float:
    value: float = page.evaluate("""async (prefix) => {
        let total = 0;
        for (const name of (await caches.keys()).filter(k => k.startsWith(prefix))) {
            const cache = await caches.open(name);
            for (const request of await cache.keys()) {
                total += (await (await cache.match(request)).blob()).size;
            }
        }
        return total / 1e6;
    }""", prefix)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    results: list[dict[str, float]] = []
    with encore() as (url, relay), sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        for run in range(runs):
            results.append(one_run(p, url, relay, Path(tmp) / f"profile-{run}"))
    print(f"Encore PWA in Chromium, as a person sees it: median of {runs} runs (min–max)")
    keys = list(dict.fromkeys(k for r in results for k in r))
    width = max(len(k) for k in keys)
    for key in keys:
        values = [r[key] for r in results if key in r]
        unit = "" if "(MB)" in key else " ms"
        print(f"  {key:<{width}}  {statistics.median(values):9.1f}{unit}"
              f"   ({min(values):.1f}–{max(values):.1f})")


if __name__ == "__main__":
    main()
