"""The PWA as a person sees it, in Chromium (printed, not a test). Median and range of several
runs; every time is from the navigation (or the click) to what shows on screen:

- feed on screen: the first track card is in the document and its frame begins (first visit;
  a browser opened again with the same profile, "warm"; and truly offline: the server cut at a
  relay, so the service worker's network requests fail too, not only the page's); on the first
  visit also when that frame's layout and paint are done;
- model ready: the page says the on-device model is ready (cold: the first visit; warm: a
  browser opened again; offline);
- play → audio advancing: from the click on Play to the player's position moving (a track not
  yet saved, fetched from the server; a track saved on the device);
- the device re-ranking the ~200-track pool: 5 calls in a row right after a warm start with
  nothing learned between them (the median of the 5), then 5 more each after a play the
  device learned (the page's case: the learner, the memory and the recent plays changed),
  and 5 more once 64 more plays are learned (a full memory: a play adds a lesson and drops
  the oldest, every candidate's memory row changes);
  with each, how much of it the model worker's thread ran on a core and how long it waited
  for one (Linux: the thread's /proc schedstat), since on a loaded machine the wait is most
  of the time and moves with the others' work while the CPU time does not;
- the precache and the saved Pyodide memory (MB).

    .venv/bin/python -m bench.pwa [--runs 3]

Figures were taken on a shared 2-core machine: compare rows within one run's output.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Playwright, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.pwa_dist import build_pwa
from tests.relay import NetworkSwitch
from tests.servers import EncoreProcess

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
LONG = 180_000

# Installed before the page's own scripts: stamps (performance.now(), i.e. ms since the
# navigation started) when the first card's frame begins (`feed`: its animation frame, before
# that frame's style, layout and paint) and ends (`feedPainted`: the next task, after them),
# and when the model is ready on screen. Each stamp is said on the console, where `seen` waits
# for it: polling the page instead (`wait_for_function`) injects Playwright's script into it,
# which cost the first visit's main thread 20-25 ms of CPU just before the first cards
# (250 ms of its time at load 14).
WATCH = """
window.__seen = {};
const stamp = (name) => {
  if (window.__seen[name] !== undefined) return;
  window.__seen[name] = performance.now();
  console.debug(`encore-seen ${name} ${window.__seen[name]}`);
};
new MutationObserver(() => {
  if (document.querySelector('#feed-list .track-card') && !window.__seen.feed) {
    requestAnimationFrame(() => {
      stamp('feed');
      setTimeout(() => stamp('feedPainted'));
    });
  }
  if (document.body?.dataset.model === 'ready') stamp('model');
}).observe(document, {childList: true, subtree: true, attributes: true,
                      attributeFilter: ['data-model']});
"""
STAMPED = "encore-seen "


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
    context.on("console", _heard)
    return context


STAMPS: weakref.WeakKeyDictionary[Page, dict[str, float]] = weakref.WeakKeyDictionary()


def _heard(message: ConsoleMessage) -> None:
    if message.text.startswith(STAMPED) and message.page is not None:
        _, name, value = message.text.split()
        STAMPS.setdefault(message.page, {})[name] = float(value)


def seen(page: Page, name: str) -> float:
    """WATCH's stamp `name`: said on the console already (the context keeps what it heard) or
    waited for there, without running anything in the page."""
    heard = STAMPS.setdefault(page, {})
    if name not in heard:
        said = page.wait_for_event("console", lambda m: m.text.startswith(f"{STAMPED}{name} "),
                                   timeout=LONG)
        heard[name] = float(said.text.split()[-1])
    return heard[name]


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
    out["feed on screen, first visit: its frame laid out and painted"] = seen(page, "feedPainted")
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
    clock = WorkerClock(profile)
    out.update(timed_reranks(page, clock, learn=False))
    out.update(timed_reranks(page, clock, learn=True))
    page.evaluate(LEARN_MANY, MEMORY_LESSONS)  # a listener whose memory is full (session.py)
    out.update(timed_reranks(page, clock, learn=True, name="after a play, 64 lessons"))
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


class WorkerClock:
    """The model worker thread's time on a core and waiting for one (ns, /proc/<pid>/task/<tid>
    /schedstat of the renderer that runs `profile`'s page); nothing where /proc has no such
    thread (not Linux)."""

    def __init__(self, profile: Path) -> None:
        self.files: list[Path] = []
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                command = (proc / "cmdline").read_bytes()  # zygote children: one string
                if b"--type=renderer" not in command or str(profile).encode() not in command:
                    continue
                self.files += [task / "schedstat" for task in (proc / "task").iterdir()
                               if (task / "comm").read_text().startswith("DedicatedWorker")]
            except OSError:
                continue

    def read(self) -> tuple[int, int]:
        on_cpu = waiting = 0
        for file in self.files:
            try:
                ran, waited, _ = file.read_text().split()
            except (OSError, ValueError):
                continue
            on_cpu, waiting = on_cpu + int(ran), waiting + int(waited)
        return on_cpu, waiting


RANK_ONCE = """async (played) => {
    const pool = encore.queue.candidates().filter((t) => t.id !== played);
    const t = performance.now();
    await encore.model.rank(pool, 30);
    return [performance.now() - t, pool.length]; }"""
LEARN_ONE = """async (k) => { const track = encore.queue.candidates()[k];
    await encore.model.learn({id: crypto.randomUUID(), track_id: track.id, type: 'finished',
        position_ms: track.duration_ms, duration_ms: track.duration_ms, at: Date.now()}, track);
    return track.id; }"""
MEMORY_LESSONS = 64  # shared_model.session.MAX_LESSONS
LEARN_MANY = """async (n) => { const pool = encore.queue.candidates();
    for (let k = 0; k < n; k++) {
        const track = pool[(5 + k) % pool.length], finished = k % 3 !== 0;
        await encore.model.learn({id: crypto.randomUUID(), track_id: track.id,
            type: finished ? 'finished' : 'skipped', duration_ms: track.duration_ms,
            position_ms: finished ? track.duration_ms : 4000, at: Date.now()}, track);
    } }"""


def timed_reranks(page: Page, clock: WorkerClock, learn: bool,
                  name: str = "after a play") -> dict[str, float]:
    """5 re-ranks of the pool (after a play learned each, with `learn`): the median wall time
    and, when the worker's thread is found, its median time on a core and waiting for one."""
    walls, on_cpu, waiting = [], [], []
    pool = 0
    for k in range(5):
        # as the page does after a play: learned, then the pool without it re-ranked
        played = page.evaluate(LEARN_ONE, k) if learn else None
        ran, waited = clock.read()
        wall, pool = page.evaluate(RANK_ONCE, played)
        ran_after, waited_after = clock.read()
        walls.append(wall)
        on_cpu.append((ran_after - ran) / 1e6)
        waiting.append((waited_after - waited) / 1e6)
    name = f"device re-ranks {name}" if learn else f"device re-ranks {pool} tracks"
    out = {name: statistics.median(walls)}
    if clock.files:
        out[f"{name}: worker on a core"] = statistics.median(on_cpu)
        out[f"{name}: worker waiting for a core"] = statistics.median(waiting)
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
