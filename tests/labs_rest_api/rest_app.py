"""Run a rest-api app folder (solution, starter, mutant) as `python app.py` on real PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from sandboxes.local_servers import free_port

LAB = Path(__file__).resolve().parents[2] / "labs" / "rest_api"


class RunningApp:
    """An app process on a free loopback port, with an httpx client pointed at it."""

    def __init__(self, directory: Path, database_url: str, log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        env = {"PATH": os.environ.get("PATH", ""), "PORT": str(self.port),
               "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
        self.log = log_path.open("wb")
        self.process = subprocess.Popen([sys.executable, "app.py"], cwd=directory, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        self.client = httpx.Client(base_url=self.url, timeout=10)

    def wait_ready(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"app exited with {self.process.returncode}:\n"
                                   + self.log_path.read_text(errors="replace"))
            try:
                if self.client.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("app not ready:\n" + self.log_path.read_text(errors="replace"))

    def stop(self) -> None:
        self.client.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def run_app(directory: Path, database_url: str, tmp_path: Path) -> Iterator[RunningApp]:
    app = RunningApp(directory, database_url, tmp_path / f"{directory.name}.log")
    try:
        app.wait_ready()
        yield app
    finally:
        app.stop()
