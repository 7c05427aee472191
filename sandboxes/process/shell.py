"""A shell on a pseudo-terminal for the process sandbox: in the service's working folder, with
its environment (scrubbed: only what the service itself gets), its rlimits and its user."""

from __future__ import annotations

import contextlib
import fcntl
import os
import struct
import subprocess
import termios
from collections.abc import Callable

from sandboxes.shell import READ_CHUNK, SHELL_ENV, Shell, kill_session

SHELL = ["/bin/bash", "--noprofile", "--norc", "-i"]


class PtyShell(Shell):
    def __init__(self, cwd: str, env: dict[str, str], preexec: Callable[[], None]) -> None:
        super().__init__()
        self.master, slave = os.openpty()

        def as_terminal_session() -> None:
            preexec()  # own session first (setsid), then limits and the sandbox's user
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        try:
            self.process = subprocess.Popen(
                SHELL, cwd=cwd, env={**env, **SHELL_ENV}, stdin=slave, stdout=slave,
                stderr=slave, preexec_fn=as_terminal_session, close_fds=True)
        finally:
            os.close(slave)

    def fileno(self) -> int:
        return self.master

    def _read(self) -> bytes:
        try:
            return os.read(self.master, READ_CHUNK)
        except OSError:  # EIO: the shell and everything on its terminal have gone
            return b""

    def write(self, data: bytes) -> None:
        with contextlib.suppress(OSError):
            os.write(self.master, data)

    def resize(self, rows: int, cols: int) -> None:
        with contextlib.suppress(OSError):
            fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def _kill(self) -> None:
        kill_session(self.process.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        with contextlib.suppress(OSError):
            os.close(self.master)
