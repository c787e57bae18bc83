"""A circuit breaker per model node, so a node that stopped answering costs one timeout, not one
per request.

A call that times out, cannot connect or gets a 5xx opens the node's circuit: requests skip the
node (straight to the next one, or in-process) until its back-off has passed. Then one health
probe (`GET /healthz`, short timeout) decides: an answer closes the circuit, silence doubles the
back-off (up to a cap). Requests never wait for a probe; a frozen node (SIGSTOP) is only ever
waited for by the requests already in flight when it froze.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger("encore.breaker")

FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 15.0


@dataclass
class _NodeState:
    failures: int = 0  # consecutive; 0 = closed (the node takes requests)
    retry_at: float = 0.0  # monotonic time of the next probe while open
    probing: bool = False


class CircuitBreaker:
    """Which nodes may be asked now; `probe(node)` answers True when the node is healthy."""

    def __init__(
        self,
        probe: Callable[[str], Awaitable[bool]],
        first_backoff_s: float = FIRST_BACKOFF_S,
        max_backoff_s: float = MAX_BACKOFF_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._probe = probe
        self.first_backoff_s = first_backoff_s
        self.max_backoff_s = max_backoff_s
        self._clock = clock
        self._nodes: dict[str, _NodeState] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def is_open(self, node: str) -> bool:
        state = self._nodes.get(node)
        return state is not None and state.failures > 0

    def allow(self, node: str) -> bool:
        """Whether a request may go to `node` now; starts a probe when one is due."""
        state = self._nodes.get(node)
        if state is None or state.failures == 0:
            return True
        if not state.probing and self._clock() >= state.retry_at:
            state.probing = True
            task = asyncio.get_running_loop().create_task(self._run_probe(node, state))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return False

    def succeeded(self, node: str) -> None:
        state = self._nodes.get(node)
        if state is not None and state.failures:
            log.info("model node %s is back", node)
            state.failures = 0

    def failed(self, node: str) -> None:
        state = self._nodes.setdefault(node, _NodeState())
        state.failures += 1
        backoff = min(self.max_backoff_s, self.first_backoff_s * 2 ** (state.failures - 1))
        state.retry_at = self._clock() + backoff
        if state.failures == 1:
            log.warning("model node %s marked down; probing again in %.1f s", node, backoff)

    async def _run_probe(self, node: str, state: _NodeState) -> None:
        try:
            healthy = await self._probe(node)
        except Exception:  # a probe must never raise into the loop
            healthy = False
        finally:
            state.probing = False
        if healthy:
            self.succeeded(node)
        else:
            self.failed(node)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
