"""Real `archlab serve` / `archlab worker` processes for the durability tests, and SIGKILL.

Each process leads its own process group, so a kill takes the whole command down at once, as
a crashed host would. The sandboxes it had started (their own sessions) outlive it: cleaning
them up is the product's job (the janitor), which the tests check.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from flask import Flask

from tests.grading.grading_helpers import LEASE_S

ARCHLAB = str(Path(sys.executable).parent / "archlab")
REPO = Path(__file__).resolve().parents[2]


def archlab_env(app: Flask, **extra: str) -> dict[str, str]:
    """The environment that makes a separate archlab process share `app`'s database and labs."""
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(DATABASE_URL=app.config["DATABASE_URL"], SECRET_KEY="test-secret",
               CONTENT_DIR=str(app.config["CONTENT_DIR"]),
               ARCHLAB_LABS_ROOT=str(app.config["LABS_ROOT"]), ARCHLAB_SANDBOX="process",
               ARCHLAB_ALLOW_PROCESS_SANDBOX="1", GRADING_LEASE_S=str(LEASE_S), **extra)
    return env


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([ARCHLAB, *args], env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def kill_hard(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group, as a crashed host would."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the group (a clean shutdown), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class WorkerProcesses:
    """`archlab worker` processes grading from the app's Redis: what the `pool` fixture runs
    when the suite is on PostgreSQL and Redis (tests/support/backing.py). They import this
    checkout's code (PYTHONPATH), like the test process does."""

    def __init__(self, app: Flask, count: int, log_dir: Path) -> None:
        self.app, self.count, self.log_dir = app, count, log_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> WorkerProcesses:
        env = archlab_env(self.app, REDIS_URL=self.app.config["REDIS_URL"],
                          PYTHONPATH=str(REPO))
        self.processes = [start(["worker", "--name", f"test-worker-{os.getpid()}-{n}"], env,
                                self.log_dir / f"worker-{n}.log") for n in range(self.count)]
        return self

    def stop(self) -> None:
        for process in self.processes:
            stop(process)
