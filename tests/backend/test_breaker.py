"""The model nodes' circuit breaker: a failed node is skipped, probed with a doubling back-off,
and taken back on the first good probe."""

from __future__ import annotations

import asyncio

from backend.breaker import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_failed_node_is_skipped_and_probed_with_doubling_backoff_until_healthy() -> None:
    clock, healthy, probes = Clock(), {"node": False}, []

    async def probe(node: str) -> bool:
        probes.append(clock.now)
        return healthy[node]

    breaker = CircuitBreaker(probe, first_backoff_s=1.0, max_backoff_s=4.0, clock=clock)
    assert breaker.allow("node")
    breaker.failed("node")
    assert not breaker.allow("node") and probes == []  # no probe before the back-off
    waits = []
    for _ in range(4):  # each failed probe doubles the wait, up to the cap
        retry_at = breaker._nodes["node"].retry_at
        waits.append(retry_at - clock.now)
        clock.now = retry_at
        assert not breaker.allow("node")  # requests never wait for the probe
        assert not breaker.allow("node")  # and only one probe runs at a time
        await asyncio.sleep(0)
        await asyncio.sleep(0)
    assert waits == [1.0, 2.0, 4.0, 4.0]
    assert len(probes) == 4
    healthy["node"] = True
    clock.now = breaker._nodes["node"].retry_at
    assert not breaker.allow("node")
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert breaker.allow("node") and not breaker.is_open("node")
    breaker.failed("node")  # a new failure starts from the first back-off again
    assert breaker._nodes["node"].retry_at - clock.now == 1.0
    await breaker.close()


async def test_a_probe_that_raises_counts_as_a_failure() -> None:
    async def probe(node: str) -> bool:
        raise RuntimeError("boom")

    clock = Clock()
    breaker = CircuitBreaker(probe, first_backoff_s=1.0, clock=clock)
    breaker.failed("node")
    clock.now += 1.0
    breaker.allow("node")
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert breaker.is_open("node") and breaker._nodes["node"].failures == 2
    await breaker.close()
