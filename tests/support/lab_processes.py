"""A lab's programs (its app folder and its stubs) as local processes on loopback ports.

The direct tests of a lab run its checks.py against these instead of a sandbox: every lab
needs the same start, wait-for-ready, kill-and-restart and log tail, so they live here once.
`LocalSession` is the part of a sandbox session that checks call (url, kill, stop, start, logs),
plus `submission`, the app's folder, which the checks read as `ctx.submission`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, TypeVar

import httpx

from labs.topology import STUBKIT
from sandboxes.local_servers import LocalServer, free_port, start_redis
from sandboxes.process.backend import PATH as SANDBOX_PATH

# Learner code and stubs run on the interpreter both backends give them (Debian's python3 and
# its python3-redis, python3-httpx, ...), not this test run's virtualenv: library defaults
# differ between the two (redis-py 8 caps a pool at 100 connections, Debian's 4.3 does not).
LEARNER_PYTHON = shutil.which("python3", path=SANDBOX_PATH)
if LEARNER_PYTHON is None:
    raise RuntimeError(f"no python3 on the sandboxes' PATH {SANDBOX_PATH}")


def stub_env(log_dir: Path) -> dict[str, str]:
    """The variables a lab stub run from its lab folder needs: PYTHONPATH to a folder that
    holds only labs/stubkit.py, which a sandbox copies beside the stub's script instead."""
    folder = log_dir / "stubkit"
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / STUBKIT.name
    if not link.exists():
        link.symlink_to(STUBKIT)
    return {"PYTHONPATH": str(folder)}


class LocalProcess:
    """One program on a free loopback port, logging to `<log_dir>/<name>.log`; restartable.

    It leads its own process group, so a kill takes whatever it spawned too, as a container
    stop would; a restart reuses the port, as a sandbox's service keeps its address. A program
    on no port (ready_path None, a queue worker) is ready once it has run RUNNING_READY_S.
    """

    RUNNING_READY_S = 1.0

    def __init__(self, name: str, argv: list[str], cwd: Path, env: dict[str, str],
                 log_dir: Path, ready_path: str | None) -> None:
        self.name, self.argv, self.cwd, self.ready_path = name, argv, cwd, ready_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {"PATH": os.environ.get("PATH", ""), "PYTHONUNBUFFERED": "1",
                    "HOST": "127.0.0.1", "PORT": str(self.port), **env}
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 20) -> None:
        """Poll `ready_path` until it answers 200; raise with the log if it exits or stalls."""
        assert self.process is not None, f"{self.name} was never started"
        deadline = time.monotonic() + (self.RUNNING_READY_S if self.ready_path is None
                                       else timeout)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n"
                                   + self.logs(60))
            if self.ready_path is None:
                time.sleep(0.1)
                continue
            try:
                if httpx.get(self.url + self.ready_path, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        if self.ready_path is None and self.process.poll() is None:
            return
        raise RuntimeError(f"{self.name} not ready:\n" + self.logs(60))

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        """SIGTERM the group, SIGKILL it if it lingers."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()

    def logs(self, lines: int = 50) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class LocalSession:
    """Named local processes plus fixed URLs (databases), answering as a sandbox session."""

    def __init__(self, processes: dict[str, LocalProcess],
                 urls: dict[str, str] | None = None) -> None:
        self.processes = processes
        self.urls = urls or {}

    def open(self) -> LocalSession:
        """Start every process, then wait for each (they start up side by side)."""
        for process in self.processes.values():
            process.start()
        for process in self.processes.values():
            process.wait_ready()
        return self

    def close(self) -> None:
        for process in self.processes.values():
            process.stop()

    @property
    def submission(self) -> Path:
        return self.processes["app"].cwd

    def url(self, name: str) -> str:
        return self.urls[name] if name in self.urls else self.processes[name].url

    def kill(self, name: str) -> None:
        self.processes[name].kill()

    def stop(self, name: str) -> None:
        self.processes[name].stop()

    def start(self, name: str) -> None:
        self.processes[name].start()

    def restart(self, name: str) -> None:
        """Stop and start again, not waiting for ready: a sandbox's restart does the same."""
        self.stop(name)
        self.start(name)

    def logs(self, name: str, lines: int = 50) -> str:
        return self.processes[name].logs(lines)


class RedisSession(LocalSession):
    """A LocalSession whose Redis the checks stop and start: it comes back empty on its own
    port, as a sandbox's Redis keeps its address after `faults.start("redis")`."""

    def __init__(self, processes: dict[str, LocalProcess], urls: dict[str, str],
                 redis_dir: Path, redis_port: int) -> None:
        super().__init__(processes, urls)
        self.redis_dir, self.redis_port = redis_dir, redis_port
        self.redis: LocalServer | None = None

    def open(self) -> RedisSession:
        self.start("redis")
        super().open()
        return self

    def close(self) -> None:
        super().close()
        self.stop("redis")

    def stop(self, name: str) -> None:
        if name != "redis":
            super().stop(name)
        elif self.redis is not None:
            self.redis.stop()

    def start(self, name: str) -> None:
        if name == "redis":
            self.redis = start_redis(self.redis_dir, port=self.redis_port)
        else:
            super().start(name)


class Openable(Protocol):
    def open(self) -> object: ...

    def close(self) -> None: ...


SessionT = TypeVar("SessionT", bound=Openable)


@contextmanager
def opened(session: SessionT) -> Iterator[SessionT]:
    """The session opened for the block and closed after it, also when opening fails."""
    try:
        session.open()
        yield session
    finally:
        session.close()
