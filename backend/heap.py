"""The serving process and Python's cyclic garbage collector: start-up's objects set aside, and
young objects collected in larger steps.

- A full (generation 2) collection walks every container object the process holds: on a
  fresh web node ~100,000 (modules, pydantic's and Quart's classes, the catalog), 60-70 ms of
  CPU. Python starts one whenever a quarter as many again have survived two younger
  collections, and under a flood of requests that was every few seconds (each request's
  objects live while 31 others are in flight), so the event loop stood still that long
  several times in every 15 s of load. Frozen objects (`gc.freeze`, what Instagram did for
  their Django servers) are no longer walked; what the process makes later is collected as
  before.
- A young (generation 0) collection ran every 700 more live objects, about one per 7
  requests under a flood, each walking what the 32 requests in flight held: 45-95 µs of CPU
  per answer. Every GEN0_THRESHOLD instead, most requests have finished (and their objects
  are freed by reference counting) before a collection looks at them. The cycles a request
  leaves (a few objects each) wait a little longer to be freed: memory stays bounded.

Freezing is once per process, after start-up's own allocations: a frozen object that later
becomes part of an unreachable cycle is never freed, so freezing again and again could keep
garbage for good; what is alive after start-up (code, the catalog) stays alive anyway, and
plain objects among it are still freed by reference counting when dropped.
"""

from __future__ import annotations

import gc

GEN0_THRESHOLD = 10_000  # Python's default is 700


def settle() -> None:
    """Collect once, freeze what survived, and collect young objects in larger steps (a
    no-op once the process has frozen)."""
    if gc.get_freeze_count():
        return
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, older, oldest)
