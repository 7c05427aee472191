"""The rate-limiter lab's Redis and its two instances (app and replica) as local processes.

`LimiterSession` wires them as lab.toml does (the same folder and variables for both), so
checks.py runs directly against the solution or a copy of it, with no sandbox. Redis is
the one service the checks stop and start (a RedisSession).
"""

from __future__ import annotations

from pathlib import Path

from labs.topology import service_spec
from sandboxes.addresses import resolve_env, service_url
from sandboxes.local_servers import free_port
from tests.support.lab_folder import LabFolder
from tests.support.lab_processes import LEARNER_PYTHON, LocalProcess, RedisSession

LIMITER = LabFolder("rate_limiter")
HOST = "127.0.0.1"


class LimiterSession(RedisSession):
    """A fresh Redis and two instances of the app in `app_dir`."""

    def __init__(self, app_dir: Path, log_dir: Path) -> None:
        redis_port = free_port()
        redis = next(service for service in LIMITER.spec.services if service.name == "redis")
        addresses = {"redis": (service_spec(redis, LIMITER.path), HOST, redis_port)}
        env = resolve_env(dict(LIMITER.spec.app.env), addresses)
        instances = {name: LocalProcess(name, [LEARNER_PYTHON, *LIMITER.spec.app.command[1:]],
                                        app_dir, env, log_dir, "/healthz")
                     for name in ("app", "replica")}
        super().__init__(instances, {"redis": service_url(*addresses["redis"])},
                         log_dir / "redis", redis_port)
