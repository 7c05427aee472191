"""Real `archlab serve` / `archlab worker` processes for the durability tests, and SIGKILL.

Each process leads its own process group, so a kill takes the whole command down at once, as
a crashed host would; the sandbox processes it had started are then found by working folder.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from flask import Flask

from tests.grading.grading_helpers import LEASE_S

ARCHLAB = str(Path(sys.executable).parent / "archlab")


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


def kill_hard(process: subprocess.Popen[bytes], sandbox_prefix: str) -> None:
    """SIGKILL the process group, then the sandbox processes it left (their own sessions)."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    folder = f"{tempfile.gettempdir()}/archlab/sbx-{sandbox_prefix}"
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            if os.readlink(proc / "cwd").startswith(folder):
                os.kill(int(proc.name), signal.SIGKILL)


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
