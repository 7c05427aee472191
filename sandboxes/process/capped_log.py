"""A service's output kept in memory, capped to its last `cap` bytes, fed by a pipe."""

from __future__ import annotations

import threading
from typing import IO


class CappedLog:
    """Thread-safe tail of a process's output; older bytes are dropped beyond `cap`."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._data = bytearray()
        self._lock = threading.Lock()

    def append(self, chunk: bytes) -> None:
        with self._lock:
            self._data += chunk
            if len(self._data) > self.cap:
                del self._data[: len(self._data) - self.cap]

    def tail(self, lines: int) -> str:
        with self._lock:
            text = self._data.decode(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def follow(self, pipe: IO[bytes]) -> threading.Thread:
        """Copy `pipe` into the log on a daemon thread until it closes."""

        def pump() -> None:
            with pipe:
                for chunk in iter(lambda: pipe.read1(65536), b""):
                    self.append(chunk)

        thread = threading.Thread(target=pump, daemon=True, name="capped-log")
        thread.start()
        return thread
