"""The topology a backend starts: services, how to tell they are ready, and their limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("app", "process", "redis", "postgres")
# The port each kind listens on when the spec does not say (inside a container; the process
# backend picks free loopback ports instead).
DEFAULT_PORTS = {"app": 8000, "process": 8000, "redis": 6379, "postgres": 5432}


@dataclass(frozen=True)
class Limits:
    """Resource limits of one service. Labs give numbers as floats; backends round them."""

    memory_mb: float = 256
    cpus: float = 1.0
    pids: float = 64
    file_size_mb: float = 16
    tmpfs_mb: float = 64
    nofile: float = 256
    log_kb: float = 512


@dataclass(frozen=True)
class Readiness:
    """Ready when GET `http` answers 2xx (http=None: when the port accepts connections).

    A service that listens on no port (a queue worker) sets tcp=False: nothing can be asked,
    so it counts as ready once it has been running for `timeout` seconds since it started,
    long enough for a start-up crash (an import error, a bad variable) to show as not ready
    with its log.
    """

    http: str | None = None
    tcp: bool = True
    timeout: float = 20.0

    def __post_init__(self) -> None:
        if self.http is not None and not self.tcp:
            raise ValueError("a readiness check over HTTP needs a port: http with tcp=False")


@dataclass(frozen=True)
class Build:
    """Build the service's image from `dockerfile` in its source folder and run that image
    (its CMD, WORKDIR and USER) instead of a command. Docker only; offline, within `timeout`."""

    dockerfile: str = "Dockerfile"
    timeout: float = 60.0


@dataclass(frozen=True)
class ServiceSpec:
    """One service. `source` is a directory copied in as its working directory (the
    learner's submission for the "app"), or with `build` the context its image is built
    from; `files` are further files copied into that working directory (relative path ->
    file on this host: a lab stub's shared helper), over the source's; env values may use
    ${svc.url|host|port}, resolved to addresses as seen from inside the sandbox."""

    name: str
    kind: str = "app"
    command: list[str] | None = None
    source: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    port: int | None = None
    ready: Readiness | None = None
    limits: Limits = field(default_factory=Limits)
    build: Build | None = None
    files: dict[str, Path] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"service {self.name!r}: unknown kind {self.kind!r}; expected "
                             f"one of {', '.join(KINDS)}")
        if self.build is not None and (self.kind != "app" or self.source is None
                                       or self.command):
            raise ValueError(f"service {self.name!r}: only an app with a source folder and "
                             "no command is built from a Dockerfile")
        if self.files and self.source is None:
            raise ValueError(f"service {self.name!r}: files are copied into a source folder; "
                             "it has none")
        for relative in self.files:
            if Path(relative).is_absolute() or ".." in Path(relative).parts:
                raise ValueError(f"service {self.name!r}: file {relative!r} must be a path "
                                 "inside its working directory")
        if self.kind in ("app", "process") and not self.command and self.build is None:
            raise ValueError(f"service {self.name!r} of kind {self.kind!r} needs a command")

    @property
    def is_store(self) -> bool:
        return self.kind in ("redis", "postgres")

    @property
    def readiness(self) -> Readiness:
        return self.ready or Readiness(timeout=30.0 if self.is_store else 20.0)


@dataclass(frozen=True)
class Topology:
    services: list[ServiceSpec]

    def __post_init__(self) -> None:
        names = [s.name for s in self.services]
        if len(set(names)) != len(names):
            raise ValueError(f"service names must be unique, got {names}")

    def service(self, name: str) -> ServiceSpec:
        for spec in self.services:
            if spec.name == name:
                return spec
        raise KeyError(f"no service named {name!r} (services: "
                       f"{', '.join(s.name for s in self.services)})")

    def start_order(self) -> list[ServiceSpec]:
        """Backing stores first, then stubs, then the app, so env addresses exist in time."""
        rank = {"redis": 0, "postgres": 0, "process": 1, "app": 2}
        return sorted(self.services, key=lambda s: rank[s.kind])

    def start_steps(self) -> list[list[ServiceSpec]]:
        """start_order() in steps, each started (and ready) before the next: the stores
        together in the first step (they need nothing), then every other service alone, in
        order, since a stub or a program may need the one before it at start-up."""
        stores = [spec for spec in self.start_order() if spec.is_store]
        rest = [[spec] for spec in self.start_order() if not spec.is_store]
        return ([stores] if stores else []) + rest


@dataclass(frozen=True)
class ServiceUser:
    """Who a service runs as: its image's USER ("" when the image sets none, i.e. root), the
    uid that names (0 for root), and the uids its processes run as now. A sandbox never runs
    a service as root: an image whose USER is root runs as the sandbox's own uid instead."""

    image_user: str
    image_uid: int
    running_uids: tuple[int, ...]


@dataclass(frozen=True)
class ServiceStatus:
    running: bool
    exit_code: int | None = None
    oom_killed: bool = False
    paused: bool = False
    uptime_s: float | None = None  # while it runs: seconds since it (last) started
