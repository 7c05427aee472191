"""An interactive shell inside a running service: what a learner's browser terminal talks to.

A Shell is a byte pipe with a terminal at the far end: `read` what it printed, `write` what
was typed, `resize` the terminal, `close` it. Closing kills the shell's whole session (the
shell and every program started from it, background jobs included), so nothing a learner
started in a terminal outlives it. A session closes its shells before its teardown.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import threading
from abc import ABC, abstractmethod
from pathlib import Path

SHELL_ENV = {"TERM": "xterm-256color", "PS1": r"\w \$ "}
READ_CHUNK = 16 * 1024


class Shell(ABC):
    """One shell process behind a terminal."""

    def __init__(self) -> None:
        self.closed = False
        self._close_lock = threading.Lock()  # the terminal and the session may close at once

    def read(self, timeout: float) -> bytes | None:
        """What the shell printed, waiting at most `timeout` s: None if nothing came, b""
        once the shell has gone (it exited, or its session was torn down)."""
        if self.closed:
            return b""
        try:
            ready, _, _ = select.select([self.fileno()], [], [], timeout)
            return self._read() if ready else None
        except (OSError, ValueError):
            return b""

    def close(self) -> None:
        """Kill the shell's whole session; safe to call twice, from two threads."""
        with self._close_lock:
            if not self.closed:
                self.closed = True
                self._kill()

    @abstractmethod
    def fileno(self) -> int: ...

    @abstractmethod
    def _read(self) -> bytes: ...

    @abstractmethod
    def write(self, data: bytes) -> None: ...

    @abstractmethod
    def resize(self, rows: int, cols: int) -> None: ...

    @abstractmethod
    def _kill(self) -> None: ...


def kill_session(sid: int) -> None:
    """SIGKILL every host process of session `sid` (a shell and all it started)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(sid, signal.SIGKILL)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:  # after "pid (comm)": state, ppid, pgrp, session
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(stat.parent.name), signal.SIGKILL)
