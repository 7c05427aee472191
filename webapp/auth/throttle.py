"""Login throttling: too many failed logins for one email from one address answer 429.

Kept in memory per process (the site runs as one gunicorn worker process); a restart forgets it,
which costs an attacker nothing they could not get by waiting the window out anyway.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

Key = tuple[str, str]


class LoginThrottle:
    def __init__(
        self,
        max_failures: int = 5,
        window_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.clock = clock
        self._failures: dict[Key, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: Key) -> int:
        """Seconds until `key` may try again; 0 when it is not blocked."""
        with self._lock:
            recent = self._recent(key)
            if len(recent) < self.max_failures:
                return 0
            return max(1, int(recent[0] + self.window_s - self.clock()) + 1)

    def failed(self, key: Key) -> None:
        with self._lock:
            self._recent(key).append(self.clock())

    def succeeded(self, key: Key) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: Key) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= self.clock() - self.window_s:
            failures.popleft()
        return failures
