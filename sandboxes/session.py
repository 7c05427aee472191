"""What every backend's session offers the grader, and the parts they share: the context
manager, idempotent close, readiness waits, the deadline watchdog and unsupported faults."""

from __future__ import annotations

import contextlib
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator

from sandboxes.addresses import service_url
from sandboxes.errors import FaultUnsupported, SandboxError, ServiceNotReady
from sandboxes.readiness import wait_until_ready
from sandboxes.shell import Shell
from sandboxes.spec import ServiceStatus, ServiceUser, Topology


class Session(ABC):
    """A running topology. Addresses are as seen from the grader on the host."""

    backend_name = "abstract"

    def __init__(self, topology: Topology, session_id: str, deadline_s: float | None) -> None:
        self.topology = topology
        self.session_id = session_id
        self.expired = False
        self.ready_wait_s = 0.0  # time spent in wait_ready, start-up included (for timings)
        self._ready_lock = threading.Lock()
        self._ready_waiters = 0
        self._ready_since = 0.0
        self._closed = False
        self._close_lock = threading.Lock()
        self._builds = threading.Condition()  # guards _builders and the _closed flag
        self._builders = 0  # creations in progress (launch may run several at once)
        self._watchdog: threading.Timer | None = None
        self._shells: list[Shell] = []
        if deadline_s:
            self._watchdog = threading.Timer(deadline_s, self._expire)
            self._watchdog.daemon = True
            self._watchdog.start()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._closed

    def url(self, name: str) -> str:
        return service_url(self.topology.service(name), *self.endpoint(name))

    def wait_ready(self, name: str | None = None, timeout: float | None = None) -> None:
        """Block until `name` (default: every service) answers; ServiceNotReady otherwise."""
        names = [name] if name else [s.name for s in self.topology.start_order()]
        with self._timing_ready():
            self._wait_each_ready(names, timeout)

    @contextlib.contextmanager
    def _timing_ready(self) -> Iterator[None]:
        """Add the wall time while any thread waits for readiness to ready_wait_s (waits
        side by side count once)."""
        with self._ready_lock:
            if not self._ready_waiters:
                self._ready_since = time.monotonic()
            self._ready_waiters += 1
        try:
            yield
        finally:
            with self._ready_lock:
                self._ready_waiters -= 1
                if not self._ready_waiters:
                    self.ready_wait_s += time.monotonic() - self._ready_since

    def _wait_each_ready(self, names: list[str], timeout: float | None) -> None:
        for each in names:
            self._check_open()
            try:
                wait_until_ready(self.topology.service(each), self.endpoint(each),
                                 lambda each=each: self.status(each),
                                 lambda lines, each=each: self.logs(each, lines), timeout)
            except ServiceNotReady:
                self._check_open()  # the deadline tore it down meanwhile: not the service
                raise

    def restart(self, name: str) -> None:
        self.stop(name)
        self.start(name)

    def service_user(self, name: str) -> ServiceUser:
        """Who the service runs as, by its image's USER and its processes' uids."""
        raise FaultUnsupported(f"the {self.backend_name} sandbox runs no images, so it cannot "
                               "tell which user an image runs as")

    def open_shell(self, name: str) -> Shell:
        """An interactive shell inside the running service `name`, as that service runs
        (user, folder, environment, limits); closed with the session."""
        with self._building():
            shell = self._shell(name)
            self._shells.append(shell)
        return shell

    def _shell(self, name: str) -> Shell:
        raise FaultUnsupported(f"the {self.backend_name} sandbox cannot open a shell")

    def add_latency(self, name: str, ms: float) -> None:
        raise FaultUnsupported(f"the {self.backend_name} sandbox cannot add network latency")

    def cut(self, name: str) -> None:
        raise FaultUnsupported(f"the {self.backend_name} sandbox cannot cut a service off "
                               "the network")

    def heal(self, name: str) -> None:
        raise FaultUnsupported(f"the {self.backend_name} sandbox cannot cut or heal the "
                               "network")

    def close(self) -> None:
        """Tear everything down; safe to call twice and from the watchdog thread. A second
        caller waits until the first one's teardown is done, so after close() nothing is left."""
        with self._close_lock:
            with self._builds:
                if self._closed:
                    return
                self._closed = True  # nothing new is made from here on...
                while self._builders:  # ...and what is being made is finished first
                    self._builds.wait()
            if self._watchdog is not None:
                self._watchdog.cancel()
            for shell in self._shells:
                shell.close()
            self._teardown()

    @contextlib.contextmanager
    def _building(self) -> Iterator[None]:
        """Hold teardown off while launch creates one thing: the watchdog's teardown then
        sees everything made before it, and nothing is made after it. Several threads may
        build at once; teardown waits for all of them."""
        with self._builds:
            self._check_open()
            self._builders += 1
        try:
            yield
        finally:
            with self._builds:
                self._builders -= 1
                self._builds.notify_all()

    def _expire(self) -> None:
        self.expired = True
        self.close()

    def _check_open(self) -> None:
        if self.expired:
            raise SandboxError(f"session {self.session_id} passed its deadline and was "
                               "torn down")
        if self._closed:
            raise SandboxError(f"session {self.session_id} is closed")

    @abstractmethod
    def endpoint(self, name: str) -> tuple[str, int]: ...

    @abstractmethod
    def logs(self, name: str, lines: int = 50) -> str: ...

    @abstractmethod
    def status(self, name: str) -> ServiceStatus: ...

    @abstractmethod
    def stop(self, name: str, timeout: float = 5.0) -> None:
        """SIGTERM (postgres: its fast-shutdown signal), SIGKILL after `timeout` seconds."""

    @abstractmethod
    def reconfigure(self, name: str, env: dict[str, str]) -> None:
        """Restart the service with `env` added to its environment, and wait until ready."""

    @abstractmethod
    def kill(self, name: str) -> None: ...

    @abstractmethod
    def start(self, name: str) -> None: ...

    @abstractmethod
    def pause(self, name: str) -> None: ...

    @abstractmethod
    def unpause(self, name: str) -> None: ...

    @abstractmethod
    def _teardown(self) -> None: ...
