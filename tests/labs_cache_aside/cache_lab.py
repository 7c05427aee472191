"""The cache-aside lab's Redis, origin stub and an app folder as local processes.

`CacheSession` wires them as lab.toml does, so checks.py runs directly against the solution,
the starter or a mutant, with no sandbox. Redis is the one service the checks stop and
start (a RedisSession).
"""

from __future__ import annotations

from pathlib import Path

from labs.topology import service_spec
from sandboxes.addresses import resolve_env, service_url
from sandboxes.local_servers import free_port
from tests.support.lab_folder import LabFolder
from tests.support.lab_processes import LEARNER_PYTHON, LocalProcess, RedisSession, stub_env

CACHE = LabFolder("cache_aside")
HOST = "127.0.0.1"


class CacheSession(RedisSession):
    """A fresh Redis, the origin stub and the app (solution, starter or mutant)."""

    def __init__(self, app_dir: Path, log_dir: Path) -> None:
        origin = next(service for service in CACHE.spec.services if service.name == "origin")
        stub = LocalProcess("origin", [LEARNER_PYTHON, *origin.command[1:]], CACHE.path,
                            {**origin.env, **stub_env(log_dir)}, log_dir, "/health")
        ports = {"redis": free_port(), "origin": stub.port}
        addresses = {service.name: (service_spec(service, CACHE.path), HOST, ports[service.name])
                     for service in CACHE.spec.services}
        app = LocalProcess("app", [LEARNER_PYTHON, *CACHE.spec.app.command[1:]], app_dir,
                           resolve_env(dict(CACHE.spec.app.env), addresses), log_dir, "/healthz")
        super().__init__({"origin": stub, "app": app}, {"redis": service_url(*addresses["redis"])},
                         log_dir / "redis", ports["redis"])
