"""Where a first visit's time goes, in Chromium (printed, not a test): a new listener's first
navigation up to the first card painted, several times against one server, and per step the
median over the visits (ms from the navigation):

- per file the page fetches first (the page, its script and style, the icon, the manifest, the
  two preloaded API answers): when it was asked for, how long the server took to start
  answering (request sent → first byte: the server's time, queueing included) and when it
  had all arrived;
- the script: its last byte → `boot` (the module compiled and run up to the boot function);
- `boot` → the feed's answer in hand → the first card's frame (bench.pwa's "feed on screen")
  → that frame laid out and painted.

    .venv/bin/python -m bench.first_visit [--visits 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections import defaultdict
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.pwa import encore, open_browser, seen, sign_up_elsewhere

TIMINGS = """() => ({marks: window.encore.marks, files: performance.getEntriesByType('resource')
    .concat(performance.getEntriesByType('navigation')).map(r => ({
        name: r.name.replace(location.origin, '').split('?')[0] || '/',
        start: r.startTime, sent: r.requestStart, first: r.responseStart, end: r.responseEnd}))})"""


def visit(p, url: str, profile: Path) -> dict[str, float]:
    context = open_browser(p, profile, url)
    page = context.new_page()
    sign_up_elsewhere(page, "f")
    page.goto("/")
    frame = "first card's frame (feed on screen)"
    out = {frame: seen(page, "feed"),
           "first card's frame laid out and painted": seen(page, "feedPainted")}
    timings = page.evaluate(TIMINGS)
    context.close()
    script_end = 0.0
    for f in timings["files"]:
        if f["start"] > out[frame] or f["name"].startswith("/vendor"):
            continue
        name = f["name"].rsplit("-", 1)[0] + "." + f["name"].rsplit(".", 1)[-1] \
            if f["name"].startswith("/assets/") else f["name"]
        out[f"{name}: asked"] = f["start"]
        out[f"{name}: server (sent → first byte)"] = f["first"] - f["sent"]
        out[f"{name}: arrived"] = f["end"]
        if name == "/assets/app.js":
            script_end = f["end"]
    marks = timings["marks"]
    out["script: last byte → boot (compiled and run)"] = marks["boot"] - script_end
    out["boot"] = marks["boot"]
    out["feed rendered (the answer in hand, cards built)"] = marks["feedRendered"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=5)
    visits = parser.parse_args().visits
    rows: dict[str, list[float]] = defaultdict(list)
    with encore() as (_, relay), sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        for k in range(visits):
            for key, value in visit(p, relay.url, Path(tmp) / f"profile-{k}").items():
                rows[key].append(value)
    print(f"A first visit in Chromium, ms from the navigation: median of {visits} (min–max)")
    width = max(map(len, rows))
    for key, values in sorted(rows.items(), key=lambda kv: statistics.median(kv[1])
                              if "server" not in kv[0] and "→" not in kv[0] else -1):
        print(f"  {key:<{width}}  {statistics.median(values):7.1f}"
              f"   ({min(values):.1f}–{max(values):.1f})")


if __name__ == "__main__":
    main()
