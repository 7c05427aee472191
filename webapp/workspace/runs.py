"""Live Run sessions: a learner's draft running in a sandbox beside the lab's services.

One registry per web process (embedded mode) holds at most one live run per learner, and at
most WORKSPACE_MAX_RUNS in all: each run is a sandbox with its own databases, and a
classroom pressing Run at once must not take the machine's memory from the graders.
A run ends when the learner stops it, starts another, leaves it idle too long (console use
refreshes it; watching the log does not), reaches its hard lifetime, or the process exits;
a reaper thread enforces the timeouts. Each run is recorded as a RunSession row. A lab that
needs what this site's sandbox lacks (lab.toml `requires`) does not start at all.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from labs.spec import Lab
from labs.topology import build_topology
from sandboxes import BackendUnsupported
from webapp.db import EXTENSION as DB_EXTENSION
from webapp.grading.settings import sandbox_backend
from webapp.models import RunSession, utcnow

EXTENSION = "archlab_runs"
DEFAULTS = {
    "WORKSPACE_IDLE_S": 600.0,  # a run nobody used for this long is stopped
    "WORKSPACE_MAX_S": 3600.0,  # and none lives longer than this
    "WORKSPACE_REAP_S": 5.0,  # how often the reaper looks
    "WORKSPACE_MAX_RUNS": 8.0,  # live runs (and runs starting) in this process at once
    "TERMINAL_IDLE_S": 300.0,  # a terminal nobody typed in for this long is closed
    "TERMINAL_OUTPUT_KB": 4096.0,  # and one that printed this much
}
_CREATION_LOCK = threading.Lock()


class RunsFull(Exception):
    """Every run slot of this process is taken: try again once someone's run ends."""


@dataclass
class LiveRun:
    """One learner's running sandbox session and its clocks (monotonic seconds)."""

    record_id: int
    user_id: int
    lab: Lab
    session: Any
    workdir: Path
    idle_s: float
    max_s: float
    started: float = field(default_factory=time.monotonic)
    last_used: float = field(default_factory=time.monotonic)

    def touch(self) -> None:
        self.last_used = time.monotonic()

    def expires_in(self) -> float:
        """Seconds until the reaper stops this run (idle timeout or hard lifetime)."""
        end = min(self.last_used + self.idle_s, self.started + self.max_s)
        return max(0.0, end - time.monotonic())

    @property
    def alive(self) -> bool:
        return self.expires_in() > 0 and not self.session.closed


class RunRegistry:
    """The live runs of this process, by learner id."""

    def __init__(self, backend: Callable[[], Any], sessions: sessionmaker[Session],
                 idle_s: float, max_s: float, reap_s: float, max_runs: int) -> None:
        self.backend = backend
        self.sessions = sessions
        self.idle_s, self.max_s, self.reap_s = idle_s, max_s, reap_s
        self.max_runs = max_runs
        self.starting = 0  # runs between their slot being taken and joining self.runs
        self.runs: dict[int, LiveRun] = {}
        self.ended: dict[int, str] = {}  # learner id -> why their last run ended
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.reaper = threading.Thread(target=self._reap_forever, name="run-reaper",
                                       daemon=True)
        self.reaper.start()

    def start(self, user_id: int, lab: Lab, files: dict[str, bytes]) -> LiveRun:
        """Stop the learner's current run, then start `files`; returns once the app is ready.

        Raises RunsFull when every slot is taken, else whatever the sandbox raises
        (ServiceNotReady with the log, SandboxError).
        """
        self.stop(user_id, "replaced by a new run")
        with self.lock:
            if len(self.runs) + self.starting >= self.max_runs:
                raise RunsFull(f"all {self.max_runs} Run slots of this site are in use")
            self.starting += 1
        try:
            return self._start(user_id, lab, files)
        finally:
            with self.lock:
                self.starting -= 1

    def _start(self, user_id: int, lab: Lab, files: dict[str, bytes]) -> LiveRun:
        backend = self.backend()
        needed = lab.needs_beyond(backend)
        if needed is not None:
            raise BackendUnsupported(f"this lab runs only on {needed}; this site runs the "
                                     f"{backend.name} sandbox")
        workdir = Path(tempfile.mkdtemp(prefix="archlab-run-"))
        for name, content in files.items():
            target = workdir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        record_id = self._record_start(user_id, lab.id, backend.name)
        try:
            session = backend.start(build_topology(lab, workdir),
                                    session_id=f"run-{record_id}",
                                    labels={"archlab.lab": lab.id, "archlab.run": str(record_id)},
                                    deadline_s=self.max_s)
            try:
                session.wait_ready()
            except BaseException:
                session.close()
                raise
        except BaseException as exc:
            shutil.rmtree(workdir, ignore_errors=True)
            self._record_end(record_id, f"did not start: {type(exc).__name__}")
            raise
        run = LiveRun(record_id, user_id, lab, session, workdir, self.idle_s, self.max_s)
        with self.lock:
            replaced = self.runs.get(user_id)
            self.runs[user_id] = run
            self.ended.pop(user_id, None)
        if replaced is not None:  # two Runs raced: the newest wins
            self._close(replaced, "replaced by a new run")
        return run

    def get(self, user_id: int) -> LiveRun | None:
        """The learner's live run, or None (an expired run is stopped on the way)."""
        with self.lock:
            run = self.runs.get(user_id)
        if run is not None and not run.alive:
            self.stop(user_id, _expiry_reason(run))
            return None
        return run

    def stop(self, user_id: int, reason: str) -> bool:
        """Stop the learner's run, if any; True when there was one."""
        with self.lock:
            run = self.runs.pop(user_id, None)
            if run is not None:
                self.ended[user_id] = reason
        if run is None:
            return False
        self._close(run, reason)
        return True

    def reap(self) -> None:
        """Stop every run past its idle timeout or lifetime."""
        with self.lock:
            expired = [run for run in self.runs.values() if not run.alive]
        for run in expired:
            self.stop(run.user_id, _expiry_reason(run))

    def close_all(self, reason: str = "the server shut down") -> None:
        self.stopping.set()
        with self.lock:
            user_ids = list(self.runs)
        for user_id in user_ids:
            self.stop(user_id, reason)

    def _reap_forever(self) -> None:
        while not self.stopping.wait(self.reap_s):
            self.reap()

    def _close(self, run: LiveRun, reason: str) -> None:
        try:
            run.session.close()
        finally:
            shutil.rmtree(run.workdir, ignore_errors=True)
            self._record_end(run.record_id, reason)

    def _record_start(self, user_id: int, lab_id: str, backend: str) -> int:
        with self.sessions() as session:
            row = RunSession(user_id=user_id, lab_id=lab_id, backend=backend)
            session.add(row)
            session.commit()
            return row.id

    def _record_end(self, record_id: int, reason: str) -> None:
        with self.sessions() as session:
            row = session.get(RunSession, record_id)
            if row is not None and row.ended_at is None:
                row.ended_at, row.end_reason = utcnow(), reason[:200]
                session.commit()


def _expiry_reason(run: LiveRun) -> str:
    if run.session.closed:
        return "the sandbox ended"
    if time.monotonic() >= run.started + run.max_s:
        return f"it reached its time limit of {_duration(run.max_s)}"
    return f"it was idle for {_duration(run.idle_s)}"


def _duration(seconds: float) -> str:
    return f"{seconds / 60:g} minutes" if seconds >= 60 else f"{seconds:g} seconds"


def setting(app: Flask, name: str) -> float:
    """`name` from the app config, else the environment, else its default."""
    return float(app.config.get(name, os.environ.get(name, DEFAULTS[name])))


def registry(app: Flask) -> RunRegistry:
    """The app's registry, created (with its reaper and exit hook) on first use."""
    with _CREATION_LOCK:
        existing = app.extensions.get(EXTENSION)
        if existing is None:
            existing = RunRegistry(lambda: sandbox_backend(app), app.extensions[DB_EXTENSION],
                                   setting(app, "WORKSPACE_IDLE_S"),
                                   setting(app, "WORKSPACE_MAX_S"),
                                   setting(app, "WORKSPACE_REAP_S"),
                                   int(setting(app, "WORKSPACE_MAX_RUNS")))
            app.extensions[EXTENSION] = existing
            atexit.register(existing.close_all)
    return existing

