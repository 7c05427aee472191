"""Run the cache-aside lab locally: real Redis, the origin stub and an app folder on loopback.

`CacheLabSession` is the part of a sandbox session the checks use (url, stop, start, logs),
so checks.py runs directly against the solution, the starter or a mutant, with no sandbox.
Redis restarts on its own port, as a sandbox's Redis does after `faults.start("redis")`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from labs.catalog import load_checks
from labs.checks import Checks
from labs.results import GradeResult, Status
from labs.runner import grade
from labs.spec import load_lab
from sandboxes.local_servers import LocalServer, free_port, scratch_dir, start_redis
from sandboxes.spec import ServiceStatus

LAB = Path(__file__).resolve().parents[2] / "labs" / "cache_aside"
SPEC = load_lab(LAB)


class Program:
    """A Python program of the lab on a free loopback port, logging to a file."""

    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str], log_path: Path,
                 ready_path: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path, self.ready_path = log_path, ready_path
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, *argv], cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
                env={"PATH": os.environ.get("PATH", ""), "PYTHONUNBUFFERED": "1",
                     "HOST": "127.0.0.1", "PORT": str(self.port), **env})

    def wait_ready(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"exited with {self.process.returncode}:\n{self.logs()}")
            try:
                if httpx.get(self.url + self.ready_path, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"not ready after {timeout} s:\n{self.logs()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def logs(self, lines: int = 50) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


class CacheLabSession:
    """Redis, the origin and the app (solution, starter or mutant), as the lab wires them."""

    def __init__(self, app_dir: Path, workdir: Path) -> None:
        self.workdir = workdir
        self.redis: LocalServer = start_redis(workdir / "redis")
        origin = next(service for service in SPEC.services if service.name == "origin")
        self.origin = Program(list(origin.command[1:]), LAB, dict(origin.env),
                              workdir / "origin.log", "/health")
        app_env = {name: value.replace("${origin.url}", self.origin.url)
                   .replace("${redis.url}", self.redis.url) for name, value in SPEC.app.env.items()}
        self.app = Program(list(SPEC.app.command[1:]), app_dir, app_env, workdir / "app.log",
                           "/healthz")

    def __enter__(self) -> CacheLabSession:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.app.stop()
        self.origin.stop()
        self.redis.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def wait_ready(self) -> None:
        self.origin.wait_ready()
        self.app.wait_ready()

    def status(self, name: str) -> ServiceStatus:
        process = {"app": self.app, "origin": self.origin}[name].process
        code = process.poll()
        return ServiceStatus(running=code is None, exit_code=code)

    def url(self, name: str) -> str:
        return {"app": self.app.url, "origin": self.origin.url, "redis": self.redis.url}[name]

    def stop(self, name: str) -> None:
        assert name == "redis", f"the checks may only stop redis here, not {name}"
        self.redis.stop()

    def start(self, name: str) -> None:
        assert name == "redis", f"the checks may only start redis here, not {name}"
        self.redis = start_redis(self.workdir / "redis", port=self.redis.port)

    def logs(self, name: str, lines: int = 50) -> str:
        return {"app": self.app, "origin": self.origin}[name].logs(lines)


class LocalBackend:
    """A backend for `labs.runner.grade` that runs the lab as CacheLabSession processes.

    Grading through the engine itself keeps its timeouts, fault bookkeeping and results.
    """

    def __init__(self, app_dir: Path) -> None:
        self.app_dir = app_dir

    def start(self, _topology: object, **_session: object) -> CacheLabSession:
        return CacheLabSession(self.app_dir, scratch_dir("cache-lab-"))


def grade_folder(app_dir: Path, seed: int, only: set[str] | None = None) -> GradeResult:
    """Grade an app folder with the lab's checks (or those in `only`) on local processes."""
    checks = Checks()
    for check in load_checks(SPEC):
        if only is None or check.id in only:
            checks.check(check.name, check.points, check.hint)(check.function)
    return grade(SPEC, app_dir, backend=LocalBackend(app_dir), seed=seed, checks=checks)


def failures(result: GradeResult) -> dict[str, str]:
    """Failed check ids -> their messages."""
    return {check.id: check.message for check in result.checks if check.status is not Status.PASSED}
