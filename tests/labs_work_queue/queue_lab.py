"""The work-queue lab's Redis, mailer stub and a submission's two programs as local processes.

`QueueSession` wires them as lab.toml does (the API and the worker run from the same folder
with the same variables), so checks.py runs directly against the solution, an alternative,
the starter or a mutant, with no sandbox. Redis is the service the checks pause: it is
frozen with SIGSTOP, as the process sandbox does, so it accepts connections and never answers.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from labs.spec import ServiceDef
from labs.topology import service_spec
from sandboxes.addresses import resolve_env, service_url
from sandboxes.local_servers import LocalServer, free_port, start_redis
from tests.support.lab_folder import LabFolder
from tests.support.lab_processes import LEARNER_PYTHON, LocalProcess, LocalSession

QUEUE = LabFolder("work_queue")
HOST = "127.0.0.1"


def service(name: str) -> ServiceDef:
    return next(s for s in (QUEUE.spec.app, *QUEUE.spec.services) if s.name == name)


class QueueSession(LocalSession):
    """A fresh Redis, the mailer, and the API and worker of the submission in `folder`."""

    def __init__(self, folder: Path, log_dir: Path) -> None:
        mailer = service("mailer")
        stub = LocalProcess("mailer", [LEARNER_PYTHON, *mailer.command[1:]], QUEUE.path,
                            dict(mailer.env), log_dir, "/health")
        self.redis_port, self.redis_dir = free_port(), log_dir / "redis"
        ports = {"redis": self.redis_port, "mailer": stub.port}
        addresses = {name: (service_spec(service(name), QUEUE.path), HOST, port)
                     for name, port in ports.items()}
        programs = {name: LocalProcess(name, [LEARNER_PYTHON, *service(name).command[1:]],
                                       folder, resolve_env(dict(service(name).env), addresses),
                                       log_dir, ready)
                    for name, ready in (("app", "/healthz"), ("worker", None))}
        super().__init__({"mailer": stub, **programs},
                         {"redis": service_url(*addresses["redis"])})
        self.redis: LocalServer | None = None

    def open(self) -> QueueSession:
        self.redis = start_redis(self.redis_dir, port=self.redis_port)
        super().open()
        return self

    def close(self) -> None:
        super().close()
        if self.redis is not None:
            self.unpause("redis")
            self.redis.stop()

    def pause(self, name: str) -> None:
        self._signal_redis(name, signal.SIGSTOP)

    def unpause(self, name: str) -> None:
        self._signal_redis(name, signal.SIGCONT)

    def _signal_redis(self, name: str, signum: int) -> None:
        assert name == "redis" and self.redis is not None, f"only Redis pauses here, not {name}"
        os.killpg(self.redis.process.pid, signum)
