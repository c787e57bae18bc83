"""Login throttling that holds under concurrency and across web nodes.

Each sign-in *reserves* an attempt before the password is checked, against two counters kept
in the store (`AttemptsStore`: one atomic conditional write each, so every web node on the store
shares them): one per client address (`login_max_failures` per window) and one per account
(`login_account_max_failures`, higher). Over either limit the answer is 429 with Retry-After,
without checking the password, so 40 or 200 simultaneous guesses get at most the limit
checked. The per-address limit stops one attacker long before the per-account ceiling, so one
attacker cannot lock the owner (signing in from elsewhere) out; only many addresses together
can. A sign-in that succeeds gives its attempts back: only failures use up the limit.

State is bounded: a counter lives for one window, SQLite deletes ended ones as it goes, and
DynamoDB items carry a TTL. Nothing is kept in a node's memory.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from .store.base import AttemptsStore


class LoginThrottle:
    def __init__(
        self,
        store: AttemptsStore,
        per_address: int,
        per_account: int,
        window_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.per_address = per_address
        self.per_account = per_account
        self.window_s = window_s
        self._clock = clock

    @staticmethod
    def _keys(address: str, username: str) -> tuple[str, str]:
        return f"addr:{address}", f"user:{username.lower()}"

    async def reserve(self, address: str, username: str) -> int:
        """Count this attempt; 0 = go ahead and check the password, else seconds to wait."""
        now = self._clock()
        by_address, by_account = self._keys(address, username)
        wait = await self.store.take_attempt(by_address, self.per_address, self.window_s, now)
        if not wait:
            wait = await self.store.take_attempt(by_account, self.per_account, self.window_s, now)
            if wait:  # refused for the account: this address did not get to guess
                await self.store.give_back_attempt(by_address, now)
        return math.ceil(wait) if wait else 0

    async def succeeded(self, address: str, username: str) -> None:
        """The password was right: this attempt does not count against anyone."""
        now = self._clock()
        for key in self._keys(address, username):
            await self.store.give_back_attempt(key, now)
