"""Where the page's time goes, in Chromium (printed, not a test): V8's sampling profiler through
Chrome tracing, for every thread of the page's renderer (the page's main thread, the model
worker, the service worker), over two moments bench/pwa.py times:

- `first-visit`: a new listener's first navigation, up to the first card painted;
- `rerank`: the browser reopened (warm), the model ready, `encore.model.rank(pool, 30)` called
  `--calls` times in a row as bench/pwa.py does.

For each thread: its busy time, and the top functions by own time and by time including
callees (WebAssembly functions by name: Pyodide's interpreter shows as `_PyEval_...`).

    .venv/bin/python -m bench.pwa_profile [--calls 40] [--top 15]
"""

from __future__ import annotations

import argparse
import collections
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, CDPSession, sync_playwright

from bench.pwa import encore, open_browser, seen, sign_up_elsewhere

CATEGORIES = ["devtools.timeline", "v8.execute", "disabled-by-default-v8.cpu_profiler",
              "disabled-by-default-devtools.timeline", "blink.user_timing", "loading"]


class Trace:
    def __init__(self, session: CDPSession) -> None:
        self.session = session
        self.events: list[dict[str, Any]] = []
        self.done = False
        session.on("Tracing.dataCollected", lambda e: self.events.extend(e["value"]))
        session.on("Tracing.tracingComplete", lambda e: setattr(self, "done", True))

    def start(self) -> None:
        self.session.send("Tracing.start", {"transferMode": "ReportEvents", "traceConfig": {
            "includedCategories": CATEGORIES, "excludedCategories": ["*"]}})

    def stop(self, context: BrowserContext) -> list[dict[str, Any]]:
        self.session.send("Tracing.end")
        page = context.pages[0]
        while not self.done:
            page.wait_for_timeout(50)
        return self.events


def thread_names(events: list[dict[str, Any]]) -> dict[tuple[int, int], str]:
    return {(e["pid"], e["tid"]): e["args"]["name"] for e in events
            if e.get("ph") == "M" and e.get("name") == "thread_name"}


def profiles(events: list[dict[str, Any]]) -> dict[tuple[int, Any], dict[str, Any]]:
    """Per profile id: its nodes (id -> {name, parent}), samples and time deltas (µs)."""
    out: dict[tuple[int, Any], dict[str, Any]] = {}
    for e in events:
        if e.get("name") == "Profile":
            out[(e["pid"], e["id"])] = {"tid": e["tid"], "nodes": {}, "samples": [], "deltas": []}
        if e.get("name") != "ProfileChunk":
            continue
        profile = out.setdefault((e["pid"], e["id"]), {"tid": e["tid"], "nodes": {},
                                                       "samples": [], "deltas": []})
        data = e["args"]["data"]
        cpu = data.get("cpuProfile", {})
        for node in cpu.get("nodes", []):
            frame = node["callFrame"]
            url = frame.get("url", "").rsplit("/", 1)[-1]
            name = frame.get("functionName") or "(anonymous)"
            profile["nodes"][node["id"]] = {"name": f"{name} {url}".strip(),
                                            "parent": node.get("parent")}
        profile["samples"] += cpu.get("samples", [])
        profile["deltas"] += data.get("timeDeltas", [])
    return out


IDLE = {"(idle)", "(program)", "(garbage collector)"}


def report(events: list[dict[str, Any]], top: int, title: str) -> None:
    names = thread_names(events)
    print(f"\n== {title}")
    for (pid, _), profile in profiles(events).items():
        nodes = profile["nodes"]
        own: collections.Counter[str] = collections.Counter()
        total: collections.Counter[str] = collections.Counter()
        busy = 0.0
        # a sample's time is the delta to the next one (µs)
        deltas = profile["deltas"][1:] + [0]
        for sample, delta in zip(profile["samples"], deltas, strict=False):
            ms = delta / 1000
            node = nodes.get(sample)
            if node is None or node["name"] == "(idle)":
                continue
            busy += ms
            own[node["name"]] += ms
            seen_names = set()
            while node is not None:
                if node["name"] not in seen_names and node["name"] != "(root)":
                    total[node["name"]] += ms
                    seen_names.add(node["name"])
                node = nodes.get(node["parent"])
        if busy < 1:
            continue
        thread = names.get((pid, profile["tid"]), f"tid {profile['tid']}")
        print(f"\n-- {thread}: {busy:.1f} ms busy")
        print(f"   {'own ms':>8}  function")
        for name, ms in own.most_common(top):
            print(f"   {ms:8.1f}  {name[:110]}")
        print(f"   {'total ms':>8}  function")
        for name, ms in total.most_common(top):
            print(f"   {ms:8.1f}  {name[:110]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    with encore() as (_, relay), sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        context = open_browser(p, profile, relay.url)
        page = context.new_page()
        sign_up_elsewhere(page, "p")
        trace = Trace(context.new_cdp_session(page))
        trace.start()
        page.goto("/")
        feed = seen(page, "feed")
        events = trace.stop(context)
        marks = page.evaluate("""() => ({marks: window.encore.marks, resources:
            performance.getEntriesByType('resource').map(r => [r.name.replace(location.origin, ''),
              Math.round(r.startTime), Math.round(r.responseStart), Math.round(r.responseEnd)]),
            nav: performance.getEntriesByType('navigation').map(n => [Math.round(n.responseEnd),
              Math.round(n.domContentLoadedEventEnd)])})""")
        print(f"first visit: feed on screen at {feed:.0f} ms; marks {marks['marks']}")
        print(f"navigation (responseEnd, DOMContentLoaded end): {marks['nav']}")
        for name, start, first_byte, end in marks["resources"]:
            if start <= feed:
                print(f"   {start:5d} → {first_byte:5d} → {end:5d}  {name[:90]}")
        report(events, args.top, "first visit, navigation → first card")
        seen(page, "model")
        page.wait_for_function("""async () => (await caches.has('encore-model-snapshot-v1'))
            && (await (await caches.open('encore-model-snapshot-v1')).keys()).length > 0""",
                               timeout=60_000)
        context.close()

        context = open_browser(p, profile, relay.url)
        page = context.new_page()
        page.goto("/")
        seen(page, "model")
        page.wait_for_timeout(1000)  # the re-rank after the model's start is over
        trace = Trace(context.new_cdp_session(page))
        trace.start()
        times = page.evaluate("""async (calls) => {
            const pool = encore.queue.candidates();
            const times = [];
            for (let i = 0; i < calls; i++) {
                const t = performance.now();
                await encore.model.rank(pool, 30);
                times.push(performance.now() - t);
            }
            return times;
        }""", args.calls)
        events = trace.stop(context)
        times.sort()
        print(f"\nre-rank: {len(times)} calls, median {times[len(times) // 2]:.1f} ms "
              f"(min {times[0]:.1f}, max {times[-1]:.1f})")
        report(events, args.top, f"warm: {args.calls} × encore.model.rank(pool, 30)")
        context.close()


if __name__ == "__main__":
    main()
