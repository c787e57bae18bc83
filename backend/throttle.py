"""Login throttling: after N failed attempts for one username within a window, wait.

Kept in the node's memory: a user hitting several web nodes gets N tries per node, which
still bounds guessing; a shared counter in the store would cost a write per failed login.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque


class LoginThrottle:
    def __init__(self, max_failures: int, window_s: float) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def retry_after(self, username: str, now: float | None = None) -> int:
        """Seconds to wait before another attempt (0 = go ahead)."""
        now = time.monotonic() if now is None else now
        recent = self._failures.get(username)
        if not recent:
            return 0
        while recent and now - recent[0] >= self.window_s:
            recent.popleft()
        if len(recent) < self.max_failures:
            if not recent:
                del self._failures[username]
            return 0
        return max(1, int(recent[0] + self.window_s - now + 0.999))

    def record_failure(self, username: str, now: float | None = None) -> None:
        self._failures[username].append(time.monotonic() if now is None else now)

    def clear(self, username: str) -> None:
        self._failures.pop(username, None)
