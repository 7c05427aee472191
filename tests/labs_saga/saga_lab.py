"""Run the saga lab's stubs and an app folder as local processes on loopback ports.

`SagaSession` is the part of a sandbox session the checks use (url, kill, start, logs), so
checks.py runs directly against the solution, the starter or a mutant, with no sandbox.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from labs.checks import CheckFailed
from labs.context import CheckContext, GradeState
from labs.saga.checks import checks
from sandboxes.local_servers import free_port

LAB = Path(__file__).resolve().parents[2] / "labs" / "saga"
STUBS = ("inventory", "payment", "shipping")


class LocalProcess:
    """One program on a free loopback port, logging to a file; restartable."""

    def __init__(self, name: str, argv: list[str], cwd: Path, env: dict[str, str],
                 log_dir: Path, ready_path: str) -> None:
        self.name, self.argv, self.cwd, self.ready_path = name, argv, cwd, ready_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {"PATH": os.environ.get("PATH", ""), "PYTHONUNBUFFERED": "1",
                    "HOST": "127.0.0.1", "PORT": str(self.port), **env}
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n"
                                   + self.logs(60))
            try:
                if httpx.get(self.url + self.ready_path, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready:\n" + self.logs(60))

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()

    def logs(self, lines: int = 50) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class SagaSession:
    """The three stubs and the app (solution, starter or mutant) against one database."""

    def __init__(self, app_dir: Path, database_url: str, log_dir: Path) -> None:
        self.database_url = database_url
        self.services: dict[str, LocalProcess] = {}
        for role in STUBS:
            self.services[role] = LocalProcess(
                role, [sys.executable, "services/participant.py", role], LAB, {}, log_dir,
                "/health")
        app_env = {"DATABASE_URL": database_url,
                   **{f"{role.upper()}_URL": self.services[role].url for role in STUBS}}
        self.services["app"] = LocalProcess("app", [sys.executable, "app.py"], app_dir, app_env,
                                            log_dir, "/healthz")

    def open(self) -> SagaSession:
        for service in self.services.values():
            service.start()
        for service in self.services.values():
            service.wait_ready()
        return self

    def close(self) -> None:
        for service in self.services.values():
            service.stop()

    def url(self, name: str) -> str:
        return self.database_url if name == "db" else self.services[name].url

    def kill(self, name: str) -> None:
        self.services[name].kill()

    def start(self, name: str) -> None:
        self.services[name].start()

    def logs(self, name: str, lines: int = 50) -> str:
        return self.services[name].logs(lines)


def run_checks(session: SagaSession, seed: int, only: set[str] | None = None,
               ) -> tuple[dict[str, str], GradeState]:
    """Run the checks in order (or those in `only`); failed check ids -> messages."""
    grade = GradeState(seed=seed)
    failures = {}
    for check in checks:
        if only is not None and check.id not in only:
            continue
        ctx = CheckContext(session, check.id, grade, http_timeout=10,
                           deadline=time.monotonic() + 60)
        try:
            check.function(ctx)
        except CheckFailed as failure:
            failures[check.id] = failure.message
        except Exception as error:
            failures[check.id] = f"{type(error).__name__}: {error}"
        finally:
            ctx.close()
    return failures, grade
