"""The soak's deployment on this machine: a Redis it can restart, one `archlab serve`, several
`archlab worker`s, all sharing one database, grading a copy of the toy lab on Docker.

The copy gets a lab id unique to the run, so the Docker objects of its sandboxes (labelled with
the lab id by the runner) can be counted without seeing other tests' sandboxes.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import docker
from flask import Flask

from sandboxes.docker.labels import SESSION
from sandboxes.docker.reaper import reap
from sandboxes.images.builder import build_runtime_image
from sandboxes.local_servers import LocalServer, free_port, start_redis, wait_for_port
from tests.grading.archlab_processes import archlab_env, kill_hard, start, stop
from tests.grading.grading_helpers import REPO, TOY_LAB
from webapp import create_app
from webapp.migrate import upgrade

LAB_LABEL = "archlab.lab"


def soak_labs_root(workdir: Path) -> tuple[Path, str]:
    """A labs folder holding the toy lab under a fresh id (so the soak's sandboxes can be
    counted apart from any other test's)."""
    lab_id = f"soak-{secrets.token_hex(3)}"
    lab = Path(shutil.copytree(TOY_LAB, workdir / "labs" / "soak"))
    spec = lab / "lab.toml"
    spec.write_text(spec.read_text().replace('id = "toy-items"', f'id = "{lab_id}"'))
    return lab.parent, lab_id


def soak_app(database_url: str, labs_root: Path) -> Flask:
    """The driver's own handle on the site's database (users, checker); migrated."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
                      "CONTENT_DIR": REPO / "tests" / "webapp" / "content",
                      "LABS_ROOT": labs_root})
    upgrade(database_url)
    return app


@dataclass
class Cluster:
    app: Flask
    lab_id: str
    workdir: Path
    lease_s: float
    redis: LocalServer | None = None
    web: subprocess.Popen[bytes] | None = None
    web_port: int = 0
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    started_workers: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def env(self) -> dict[str, str]:
        assert self.redis is not None
        env = archlab_env(self.app, REDIS_URL=self.redis.url)
        env.update(ARCHLAB_SANDBOX="docker", GRADING_LEASE_S=str(self.lease_s),
                   SESSION_COOKIE_SECURE="0")
        return env

    def start(self, workers: int) -> Cluster:
        build_runtime_image(docker.from_env(timeout=600))
        self.redis = start_redis(self.workdir / "redis")
        self.web_port = free_port()
        self.start_web()
        for _ in range(workers):
            self.start_worker()
        return self

    def start_web(self) -> None:
        self.web = start(["serve", "--port", str(self.web_port)], self.env(),
                         self.workdir / "web.log")
        wait_for_port("127.0.0.1", self.web_port, timeout=60, process=self.web)

    def restart_web(self) -> None:
        """SIGKILL the web process (requests in flight are cut) and start a new one."""
        assert self.web is not None
        kill_hard(self.web)
        self.start_web()

    def start_worker(self) -> None:
        self.started_workers += 1
        self.workers.append(start(["worker", "--name", f"soak-{self.started_workers}"],
                                  self.env(), self.workdir / "workers.log"))

    def kill_worker(self, index: int) -> None:
        """SIGKILL one worker (mid-grade if it is grading); its sandbox stays behind it."""
        kill_hard(self.workers.pop(index % len(self.workers)))

    def restart_redis(self) -> None:
        """Stop Redis (no persistence: every queued job is gone) and start it on the same port."""
        assert self.redis is not None
        port = self.redis.port
        self.redis.stop()
        self.redis = start_redis(self.workdir / "redis", port=port)

    def leftover_sandboxes(self) -> list[str]:
        """Containers and networks of this run's lab that Docker still holds, named with
        their session and state, so a leak says which sandbox it was."""
        client = docker.from_env(timeout=60)
        selector = {"label": f"{LAB_LABEL}={self.lab_id}"}
        try:
            return ([f"container {c.name} ({c.status}, session {c.labels.get(SESSION)})"
                     for c in client.containers.list(all=True, filters=selector,
                                                     ignore_removed=True)]
                    + [f"network {n.name}" for n in client.networks.list(filters=selector)])
        finally:
            client.close()

    def stop_workers(self) -> None:
        """Stop the workers cleanly (SIGTERM); the web, Redis and Docker stay as they are."""
        while self.workers:
            stop(self.workers.pop())

    def stop(self) -> None:
        """Stop every process and remove whatever the run's lab left in Docker."""
        self.stop_workers()
        if self.web is not None:
            stop(self.web)
        if self.redis is not None:
            self.redis.stop()
        client = docker.from_env(timeout=60)
        selector = {"label": f"{LAB_LABEL}={self.lab_id}"}
        try:
            sessions = {obj.attrs["Config"]["Labels"][SESSION]
                        for obj in client.containers.list(all=True, filters=selector,
                                                          ignore_removed=True)}
            sessions |= {obj.attrs["Labels"][SESSION]
                         for obj in client.networks.list(filters=selector)}
            for session_id in sessions:
                reap(client, session_id=session_id)
        finally:
            client.close()
