"""Run the sharding lab's app folder as a local process against four real PostgreSQL servers.

`ShardServers` are four throwaway clusters (one per shard, so stopping shard1 stops only
shard1); each test gets fresh databases on them. `ShardingSession` is the part of a sandbox
session the checks use (url, stop, start, logs), so checks.py runs directly against the
solution, the starter or a mutant, with no sandbox.
"""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import psycopg

from labs.checks import CheckFailed
from labs.context import CheckContext, GradeState
from labs.sharding.checks import ALL_SHARDS, OLD_SHARDS, checks
from sandboxes.local_servers import (
    LocalServer,
    free_port,
    postgres_argv,
    scratch_dir,
    start_postgres,
    wait_for_port,
)

LAB = Path(__file__).resolve().parents[2] / "labs" / "sharding"


def as_postgres_user() -> None:
    """preexec_fn of a restarted server: own session, and the postgres account under root."""
    os.setsid()
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.setgid(account.pw_gid)
        os.setgroups([])
        os.setuid(account.pw_uid)


class ShardServers:
    """One PostgreSQL cluster per shard, stoppable and restartable on the same port."""

    def __init__(self) -> None:
        self.servers: dict[str, LocalServer] = {}

    def start_all(self) -> ShardServers:
        for name in ALL_SHARDS:
            self.servers[name] = start_postgres(scratch_dir(f"test-{name}-"), database="lab")
        return self

    def admin_url(self, name: str) -> str:
        return self.servers[name].url.rsplit("/", 1)[0] + "/postgres"

    def fresh_databases(self) -> dict[str, str]:
        """A new empty database on every shard: name -> URL."""
        database = "t_" + uuid.uuid4().hex[:12]
        for name in ALL_SHARDS:
            with psycopg.connect(self.admin_url(name), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{database}"')
        return {name: self.servers[name].url.rsplit("/", 1)[0] + f"/{database}"
                for name in ALL_SHARDS}

    def stop(self, name: str) -> None:
        self.servers[name].stop()

    def start(self, name: str) -> None:
        server = self.servers[name]
        if server.process.poll() is None:
            return
        with server.log_path.open("ab") as log:
            server.process = subprocess.Popen(
                postgres_argv(server.workdir, server.port), cwd=server.workdir, stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=as_postgres_user,
                env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"})
        wait_for_port(server.host, server.port, 30, server.process)
        deadline = time.monotonic() + 30
        while True:   # the port opens a moment before recovery lets sessions in
            try:
                psycopg.connect(self.admin_url(name), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def close(self) -> None:
        for server in self.servers.values():
            server.stop()


class App:
    """The app folder as a process on a free loopback port, logging to a file."""

    def __init__(self, app_dir: Path, shard_urls: dict[str, str], log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app_dir = app_dir
        self.env = {"PATH": os.environ.get("PATH", ""), "PYTHONUNBUFFERED": "1",
                    "HOST": "127.0.0.1", "PORT": str(self.port),
                    "SHARD_URLS": ",".join(f"{n}={shard_urls[n]}" for n in OLD_SHARDS),
                    "SPARE_SHARD_URLS": f"shard3={shard_urls['shard3']}"}
        self.log_path = log_dir / "app.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 20) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen([sys.executable, "app.py"], cwd=self.app_dir,
                                            env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"app exited with {self.process.returncode}:\n"
                                   + self.logs(60))
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("app not ready:\n" + self.logs(60))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def logs(self, lines: int = 50) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class ShardingSession:
    """The app (solution, starter or mutant) on fresh databases of the four shard servers."""

    def __init__(self, app_dir: Path, servers: ShardServers, log_dir: Path) -> None:
        self.servers = servers
        self.shard_urls = servers.fresh_databases()
        self.app = App(app_dir, self.shard_urls, log_dir)

    def open(self) -> ShardingSession:
        self.app.start()
        return self

    def close(self) -> None:
        self.app.stop()
        for name in ALL_SHARDS:
            self.servers.start(name)   # a failed check may have left its shard stopped

    def url(self, name: str) -> str:
        return self.app.url if name == "app" else self.shard_urls[name]

    def stop(self, name: str) -> None:
        self.servers.stop(name)

    def start(self, name: str) -> None:
        self.servers.start(name)

    def logs(self, name: str, lines: int = 50) -> str:
        return self.app.logs(lines) if name == "app" else self.servers.servers[name].log_tail(lines)


def run_checks(session: ShardingSession, seed: int, only: set[str] | None = None,
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
