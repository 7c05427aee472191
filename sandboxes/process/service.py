"""One service as a process group on loopback: start, signal, stop, and its status."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sandboxes.errors import SandboxError
from sandboxes.process.capped_log import CappedLog
from sandboxes.spec import ServiceSpec, ServiceStatus

STOP_TIMEOUT = 5.0
QUIT_TIMEOUT = 2.0  # teardown: how long a server may take over its quit signal


@dataclass
class ProcessService:
    """A restartable process; every signal goes to its whole process group."""

    spec: ServiceSpec
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    port: int
    preexec: Callable[[], None]
    log: CappedLog
    stop_signal: int = signal.SIGTERM
    # teardown's first signal, for a server that must not be SIGKILLed outright: PostgreSQL
    # keeps a System V shared memory segment (keyed by its data folder's inode) that only
    # its own exit removes; SIGQUIT (immediate shutdown) ends it in milliseconds and cleanly
    quit_signal: int | None = None
    process: subprocess.Popen | None = None
    paused: bool = False
    pgids: set[int] = field(default_factory=set)
    pump: threading.Thread | None = None  # copies the output into `log`
    started_at: float = 0.0  # time.monotonic() of the last start

    def start(self) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        try:
            self.process = subprocess.Popen(  # preexec: setsid, rlimits, drop privileges
                self.argv, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=self.preexec)
        except OSError as exc:  # no fork left (EAGAIN), a missing command: ours to report
            raise SandboxError(f"cannot start service {self.spec.name!r} "
                               f"({' '.join(self.argv[:2])}): {exc.strerror or exc}") from exc
        self.pgids.add(self.process.pid)
        self.started_at = time.monotonic()
        self.paused = False
        self.pump = self.log.follow(self.process.stdout)

    def signal(self, signum: int) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signum)

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Ask politely (the kind's stop signal), then SIGKILL the group after `timeout`."""
        if self.process is None:
            return
        self.unpause()
        self.signal(self.stop_signal)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self.signal(signal.SIGKILL)  # children the leader left behind

    def kill(self) -> None:
        if self.process is None:
            return
        self.signal(signal.SIGKILL)
        self.process.wait()
        self.paused = False

    def pause(self) -> None:
        self.signal(signal.SIGSTOP)
        self.paused = True

    def unpause(self) -> None:
        if self.paused:
            self.signal(signal.SIGCONT)
            self.paused = False

    def status(self) -> ServiceStatus:
        code = None if self.process is None else self.process.poll()
        if self.process is None or code is not None:
            if self.pump is not None:  # its last words reach the log before anyone reads it
                self.pump.join(timeout=1.0)
            exit_code = None if code is None else (128 - code if code < 0 else code)
            return ServiceStatus(running=False, exit_code=exit_code)
        return ServiceStatus(running=not self.paused, paused=self.paused,
                             uptime_s=time.monotonic() - self.started_at)

    def destroy(self) -> None:
        """SIGKILL every process group this service ever led (restarts make new ones),
        after the quit signal, if it has one, ended the server or QUIT_TIMEOUT passed."""
        self.unpause()
        if self.quit_signal is not None and self.process is not None \
                and self.process.poll() is None:
            self.signal(self.quit_signal)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(QUIT_TIMEOUT)
        for pgid in self.pgids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(STOP_TIMEOUT)
