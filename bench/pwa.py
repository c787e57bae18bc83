"""PWA timings in headless Chromium (printed, not a test): median of several runs of
first visit → feed rendered, warm reload → feed rendered, offline reload → feed rendered,
model worker ready (warm), re-rank of the ~200-track pool in the worker, and the precache size.

    .venv/bin/python -m bench.pwa [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from tests.servers import EncoreProcess

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def server() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as data:
        process = EncoreProcess("serve", Path(data)).start()
        try:
            yield process.url
        finally:
            process.stop()


def mark(page: Page, name: str, timeout: float = 60_000) -> float:
    page.wait_for_function(f"() => window.encore?.marks?.{name} !== undefined", timeout=timeout)
    value: float = page.evaluate(f"() => window.encore.marks.{name}")
    return value


def one_run(browser: Browser, url: str) -> dict[str, float]:
    context = browser.new_context(base_url=url)
    page = context.new_page()
    answer = page.request.post("/api/auth/signup", headers={"X-Requested-With": "encore"},
                               data={"username": f"b{uuid.uuid4().hex[:12]}",
                                     "password": "benchmark-pw"})
    assert answer.ok, answer.text()
    result: dict[str, float] = {}
    page.goto("/")
    result["first visit → feed (ms)"] = mark(page, "feedRendered")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    mark(page, "modelReady", 120_000)  # Pyodide downloaded into the precache
    page.reload()
    result["warm reload → feed (ms)"] = mark(page, "feedRendered")
    result["model worker ready, warm (ms)"] = mark(page, "modelReady", 120_000)
    timings = page.evaluate("""async () => {
        const out = [];
        const pool = encore.queue.candidates();
        for (let i = 0; i < 5; i++) {
            const t = performance.now();
            await encore.model.rank(pool, 30);
            out.push(performance.now() - t);
        }
        return {times: out, pool: pool.length};
    }""")
    result[f"re-rank {timings['pool']} tracks (ms)"] = statistics.median(timings["times"])
    result["precache (MB)"] = page.evaluate("""async () => {
        let total = 0;
        const cache = await caches.open('encore-static-v1');
        for (const request of await cache.keys()) {
            total += (await (await cache.match(request)).blob()).size;
        }
        return total / 1e6;
    }""")
    context.set_offline(True)
    page.reload()
    result["offline reload → feed (ms)"] = mark(page, "feedRendered")
    context.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    if not (ROOT / "pwa" / "dist" / "index.html").exists():
        subprocess.run(["npm", "run", "--silent", "build"], cwd=ROOT, check=True)
    with server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        results = [one_run(browser, url) for _ in range(runs)]
        browser.close()
    print(f"Encore PWA, headless Chromium, median of {runs} runs")
    width = max(len(k) for k in results[0])
    for key in results[0]:
        values = [r[key] for r in results if key in r]
        spread = f"(min {min(values):.1f}, max {max(values):.1f})"
        print(f"  {key:<{width}}  {statistics.median(values):9.1f}   {spread}")


if __name__ == "__main__":
    main()
