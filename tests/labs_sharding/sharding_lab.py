"""Run the sharding lab's app folder as a local process against four real PostgreSQL servers.

`ShardServers` are four throwaway clusters (one per shard, so stopping shard1 stops only
shard1); each test gets fresh databases on them. `ShardingSession` is the part of a sandbox
session the checks use (url, stop, start, logs), so checks.py runs directly against the
solution, the starter or a mutant, with no sandbox.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import psycopg

from labs.sharding.checks import ALL_SHARDS, OLD_SHARDS
from sandboxes.local_servers import (
    LocalServer,
    postgres_argv,
    scratch_dir,
    start_postgres,
    wait_for_port,
)
from tests.support.lab_folder import LabFolder
from tests.support.lab_processes import LEARNER_PYTHON, LocalProcess

SHARDING = LabFolder("sharding")


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
            shutil.rmtree(server.workdir, ignore_errors=True)


class ShardingSession:
    """The app (solution, starter or mutant) on fresh databases of the four shard servers."""

    def __init__(self, app_dir: Path, servers: ShardServers, log_dir: Path) -> None:
        self.servers = servers
        self.shard_urls = servers.fresh_databases()
        env = {"SHARD_URLS": ",".join(f"{n}={self.shard_urls[n]}" for n in OLD_SHARDS),
               "SPARE_SHARD_URLS": f"shard3={self.shard_urls['shard3']}"}
        self.app = LocalProcess("app", [LEARNER_PYTHON, "app.py"], app_dir, env, log_dir,
                                "/healthz")

    def open(self) -> ShardingSession:
        self.app.start()
        self.app.wait_ready()
        return self

    def close(self) -> None:
        self.app.stop()
        for name in ALL_SHARDS:
            self.servers.start(name)   # a failed check may have left its shard stopped

    @property
    def submission(self) -> Path:
        return self.app.cwd

    def url(self, name: str) -> str:
        return self.app.url if name == "app" else self.shard_urls[name]

    def stop(self, name: str) -> None:
        self.servers.stop(name)

    def start(self, name: str) -> None:
        self.servers.start(name)

    def logs(self, name: str, lines: int = 50) -> str:
        return self.app.logs(lines) if name == "app" else self.servers.servers[name].log_tail(lines)

