"""The local-process backend: fast and Docker-free, but weakly isolated (see README.md).

Learner code shares the host's network and can read whatever its user can read, so the
backend refuses untrusted submissions unless the operator sets ARCHLAB_ALLOW_PROCESS_SANDBOX=1.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

from sandboxes.addresses import resolve_env
from sandboxes.errors import BackendUnsupported, SandboxError, ServiceNotReady
from sandboxes.local_servers import (
    MissingServerBinary,
    ServerDidNotStart,
    chown_tree,
    free_port,
    scratch_dir,
)
from sandboxes.parallel import each_at_once
from sandboxes.process import reaper
from sandboxes.process.capped_log import CappedLog
from sandboxes.process.limits import preexec, rlimits, sandbox_account
from sandboxes.process.service import STOP_TIMEOUT, ProcessService
from sandboxes.process.shell import PtyShell
from sandboxes.process.stores import create_lab_database, store_service, store_user
from sandboxes.session import Session
from sandboxes.spec import ServiceSpec, ServiceStatus, Topology

HOST = "127.0.0.1"
OPT_IN = "ARCHLAB_ALLOW_PROCESS_SANDBOX"
PATH = "/usr/local/bin:/usr/bin:/bin"


class ProcessBackend:
    """Starts ProcessSessions. trusted=False (the web app's learners) needs the operator's
    opt-in, because nothing here stops learner code from using the host's network."""

    name = "process"
    provides: frozenset[str] = frozenset()  # runs commands; builds no images

    def __init__(self, trusted: bool = True) -> None:
        self.trusted = trusted

    def start(self, topology: Topology, session_id: str, labels: dict[str, str] | None = None,
              deadline_s: float | None = None) -> ProcessSession:
        if not self.trusted and os.environ.get(OPT_IN) != "1":
            raise SandboxError(f"the process sandbox does not isolate untrusted code; use "
                               f"Docker, or set {OPT_IN}=1 to accept the risk")
        built = [spec.name for spec in topology.services if spec.build is not None]
        if built:
            raise BackendUnsupported(f"the process sandbox cannot build {built[0]!r} from its "
                                     "Dockerfile: this needs the Docker sandbox")
        session = ProcessSession(topology, session_id, deadline_s, labels or {})
        try:
            session.launch()
        except BaseException:
            session.close()
            raise
        return session


class ProcessSession(Session):
    backend_name = "process"

    def __init__(self, topology: Topology, session_id: str, deadline_s: float | None,
                 labels: dict[str, str]) -> None:
        safe_id = re.sub(r"[^A-Za-z0-9_.-]", "_", session_id)[:40]
        self.root = scratch_dir(f"{reaper.PREFIX}{safe_id}-")
        self.deadline_s = deadline_s
        self.labels = labels
        self.ports = {spec.name: spec.port or free_port() for spec in topology.services}
        self.services: dict[str, ProcessService] = {}
        self._record_lock = threading.Lock()
        super().__init__(topology, session_id, deadline_s)
        self._keep_record()

    def _keep_record(self) -> None:
        """What `archlab sandbox reap` needs if this process dies without tearing down."""
        with self._record_lock:  # services start side by side
            pgids = {pgid for service in self.services.values() for pgid in service.pgids}
            reaper.write_record(self.root, self.session_id, self.labels, self.deadline_s,
                                pgids)

    def launch(self) -> None:
        """Start services stores first (side by side), each step ready before the next."""
        for step in self.topology.start_steps():
            each_at_once(self._start_until_ready, step)

    def _start_until_ready(self, spec: ServiceSpec) -> None:
        with self._building():
            workdir = self.root / spec.name
            try:
                if spec.is_store:
                    service = store_service(spec, workdir, self.ports[spec.name],
                                            store_user(spec.kind, os.geteuid() == 0),
                                            self.deadline_s)
                else:
                    service = self._program(spec, workdir)
            except (MissingServerBinary, OSError) as exc:
                raise SandboxError(f"cannot prepare service {spec.name!r}: {exc}") from exc
            with self._record_lock:
                self.services[spec.name] = service
            service.start()
            self._keep_record()
        if spec.kind == "postgres":
            self._init_postgres(spec)
        self.wait_ready(spec.name)

    def _program(self, spec: ServiceSpec, workdir: Path) -> ProcessService:
        if spec.source is not None:
            shutil.copytree(spec.source, workdir, symlinks=True)
            for relative, path in spec.files.items():
                (workdir / relative).parent.mkdir(parents=True, exist_ok=True)
                (workdir / relative).unlink(missing_ok=True)  # a link would be written through
                shutil.copyfile(path, workdir / relative)
        else:
            workdir.mkdir()
        chown_tree(workdir, sandbox_account(str(workdir)))
        addresses = {s.name: (s, HOST, self.ports[s.name]) for s in self.topology.services}
        port = self.ports[spec.name]
        # HOME: the service's uid has no /etc/passwd entry, so without it anything that
        # looks for ~ (httpx reads ~/.netrc on every request) raises "no home directory"
        env = {"PATH": PATH, "LANG": "C.UTF-8", "HOME": str(workdir), "HOST": HOST,
               "PORT": str(port),
               **resolve_env(spec.env, addresses)}
        return ProcessService(spec, list(spec.command or []), workdir, env, port,
                              self._confined(spec, workdir),
                              CappedLog(int(spec.limits.log_kb * 1024)))

    def _confined(self, spec: ServiceSpec, workdir: Path) -> Callable[[], None]:
        """The preexec step that puts a process of `spec` in its own session, under its
        rlimits and as the account of the service whose folder is `workdir`."""
        account = sandbox_account(str(workdir))
        return preexec(rlimits(spec.limits, self.deadline_s, dedicated_user=account is not None),
                       account)

    def _init_postgres(self, spec: ServiceSpec) -> None:
        try:
            create_lab_database(self.ports[spec.name], spec.readiness.timeout,
                                alive=lambda: self.services[spec.name].status().running)
        except ServerDidNotStart as exc:
            self._check_open()  # the deadline tore it down meanwhile: not the service
            service = self.services[spec.name]
            status = service.status()
            raise ServiceNotReady(spec.name, service.log.tail(60), status.exit_code,
                                  reason=str(exc)) from exc

    def _service(self, name: str) -> ProcessService:
        self._check_open()
        if name not in self.services:
            self.topology.service(name)  # KeyError naming the services for a typo
            raise SandboxError(f"service {name!r} was never started")
        return self.services[name]

    def endpoint(self, name: str) -> tuple[str, int]:
        self.topology.service(name)
        return (HOST, self.ports[name])

    def logs(self, name: str, lines: int = 50) -> str:
        if name not in self.services:
            self.topology.service(name)
            return ""
        return self.services[name].log.tail(lines)

    def status(self, name: str) -> ServiceStatus:
        return self._service(name).status()

    def _shell(self, name: str) -> PtyShell:
        service = self._service(name)
        if service.spec.is_store or not service.status().running:
            raise SandboxError(f"the service {name!r} is not a running program of its own")
        return PtyShell(str(service.cwd), service.env, self._confined(service.spec, service.cwd))

    def stop(self, name: str, timeout: float = STOP_TIMEOUT) -> None:
        self._service(name).stop(timeout)

    def kill(self, name: str) -> None:
        self._service(name).kill()

    def start(self, name: str) -> None:
        self._service(name).start()
        self._keep_record()  # a restart leads a new process group

    def reconfigure(self, name: str, env: dict[str, str]) -> None:
        """Stop the service and start it again with `env` added to its environment."""
        service = self._service(name)
        service.stop()
        service.env = {**service.env, **env}
        self.start(name)
        self.wait_ready(name)

    def pause(self, name: str) -> None:
        self._service(name).pause()

    def unpause(self, name: str) -> None:
        self._service(name).unpause()

    def _teardown(self) -> None:
        for service in self.services.values():
            service.destroy()
        shutil.rmtree(self.root, ignore_errors=True)
