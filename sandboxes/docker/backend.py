"""The Docker backend: each session is an internal network of hardened containers, reached
by the grader at the containers' addresses on that network, torn down in `finally`. A
service with a `build` runs the image built from its own Dockerfile (build.py).

Each service is two containers: an idle anchor that holds the service's network namespace
(its address and name on the session network) and the service itself inside it, so that
stopping a service closes its port without taking its name off the network."""

from __future__ import annotations

import contextlib
import math
import re
import time
from datetime import UTC, datetime
from typing import Any

import docker
import docker.errors
from docker.models.containers import Container

from sandboxes.addresses import resolve_env
from sandboxes.docker import faults
from sandboxes.docker.build import BuiltImage, build_image
from sandboxes.docker.container import (
    ALL_INTERFACES,
    anchor_kwargs,
    create_kwargs,
    data_mount,
    service_port,
    source_archive,
)
from sandboxes.docker.labels import SERVICE, object_name, session_labels
from sandboxes.docker.network import create_network, shield_host
from sandboxes.docker.reaper import reap, remaining
from sandboxes.docker.shell import DockerShell
from sandboxes.errors import SandboxError
from sandboxes.images.build_base import ensure_build_base
from sandboxes.images.builder import image_exists
from sandboxes.images.recipe import APP_UID, runtime_image
from sandboxes.parallel import each_at_once
from sandboxes.session import Session
from sandboxes.spec import ServiceSpec, ServiceStatus, ServiceUser, Topology

STOP_TIMEOUT = 5
TEARDOWN_PASSES = 3  # reap passes at teardown before leaving the rest to the deadline reaper


class DockerBackend:
    """Starts DockerSessions. trusted=True tolerates a host firewall rule that cannot be
    installed (not root); for untrusted learners that is an infrastructure error."""

    name = "docker"
    provides = frozenset({"docker"})  # builds and runs a submission's own Dockerfile

    def __init__(self, trusted: bool = True, image: str | None = None) -> None:
        self.trusted = trusted
        self.image = image or runtime_image()

    def start(self, topology: Topology, session_id: str, labels: dict[str, str] | None = None,
              deadline_s: float | None = None) -> DockerSession:
        try:
            client = docker.from_env(timeout=60)
            if not image_exists(client, self.image):
                raise SandboxError(f"the lab image {self.image} is missing: run "
                                   "`archlab sandbox build-images`")
            if any(spec.build for spec in topology.services):
                ensure_build_base(client, self.image)
        except docker.errors.DockerException as exc:
            raise SandboxError(f"no Docker engine answers: {exc}") from exc
        session = DockerSession(client, topology, session_id, deadline_s,
                                session_labels(session_id, deadline_s, labels))
        try:
            session.launch(self.image, self.trusted)
        except docker.errors.DockerException as exc:
            session.close()
            raise SandboxError(f"Docker failed to start session {session_id}: {exc}") from exc
        except BaseException:
            session.close()
            raise
        return session


def start_container(container: Container) -> None:
    """Start `container`. Under load containerd can answer a start it carried out with
    "cannot start an already running container" (seen in CI); the container's own state
    decides whether that was a failure."""
    try:
        container.start()
    except docker.errors.APIError as exc:
        if "already running" not in str(exc):
            raise
        container.reload()
        if container.status != "running":
            raise


SIGKILLED = 128 + 9  # a container's exit code when the kernel (or the engine) SIGKILLs it


def uptime(started_at: str) -> float | None:
    """Seconds since Docker's StartedAt (RFC 3339 with nanoseconds), None if unreadable."""
    match = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?", started_at)
    if not match:
        return None
    fraction = float(match.group(2) or 0)
    started = datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC).timestamp() + fraction
    return max(0.0, time.time() - started)


def oom_logged(client: docker.DockerClient, container: Any, started_at: str) -> bool:
    """The engine logged an "oom" event for `container` since it started (`started_at`).
    Docker 20.10 can leave State.OOMKilled false when it handles the exit before the OOM (a
    race seen under load), so a SIGKILL is checked against the engine's own event log."""
    ran_for = uptime(started_at)
    if ran_for is None:
        return False
    now = time.time()
    try:
        events = client.events(since=int(now - ran_for) - 1, until=int(now) + 1, decode=True,
                               filters={"container": container.id, "event": "oom"})
        return any(True for _ in events)
    except docker.errors.APIError:
        return False


class DockerSession(Session):
    backend_name = "docker"

    def __init__(self, client: docker.DockerClient, topology: Topology, session_id: str,
                 deadline_s: float | None, labels: dict[str, str]) -> None:
        self.client = client
        self.labels = labels
        self.containers: dict[str, Container] = {}
        self.anchors: dict[str, Container] = {}
        self.built: dict[str, BuiltImage] = {}
        self.create_args: dict[str, dict[str, Any]] = {}  # to create a service again
        self.addresses: dict[str, str] = {}
        self.network: Any = None
        self.cut_off: set[str] = set()
        super().__init__(topology, session_id, deadline_s)

    def launch(self, image: str, trusted: bool) -> None:
        for spec in self.topology.services:
            if spec.build is not None:
                with self._building():
                    self.built[spec.name] = self._build(spec)
        with self._building():
            self.network, bridge = create_network(self.client, object_name(self.session_id),
                                                  self.labels)
            try:
                shield_host(bridge)
            except SandboxError:
                if not trusted:
                    raise
        inside = {s.name: (s, s.name, service_port(s)) for s in self.topology.services}

        def prepare(spec: ServiceSpec) -> None:
            """The anchor starts while the service's container is created in its namespace
            (a created anchor has its id; both steps mostly wait on the engine)."""
            env = resolve_env(spec.env, inside)

            def create() -> None:
                with self._building():
                    self.containers[spec.name] = self._create(spec, image, env)

            with self._building():
                self.anchors[spec.name] = self._new_anchor(spec, image)
            started, _ = each_at_once(lambda step: step(),
                                      [lambda: self._start_anchor(spec), create])
            if not started:
                # containerd sometimes loses a new container's init under load; the anchor
                # holds no state yet, so one fresh try is as good, with the service's
                # container made again in the new anchor's namespace
                with self._building():
                    self.containers.pop(spec.name).remove(force=True)
                    self.anchors[spec.name].remove(force=True)
                    self.anchors[spec.name] = self._new_anchor(spec, image)
                    start_container(self.anchors[spec.name])
                create()

        each_at_once(prepare, self.topology.services)
        for step in self.topology.start_steps():
            each_at_once(self._start_until_ready, step)

    def _start_until_ready(self, spec: ServiceSpec) -> None:
        with self._building():
            try:
                start_container(self.containers[spec.name])
            except docker.errors.APIError as exc:
                if "non running container" not in str(exc):
                    raise
                # containerd can lose a started anchor under load (a verify saw "cannot join
                # network of a non running container"); it holds no state, so it starts
                # again, keeping its name on the network, and the service joins it
                start_container(self.anchors[spec.name])
                start_container(self.containers[spec.name])
        self.wait_ready(spec.name)

    def _build(self, spec: ServiceSpec) -> BuiltImage:
        """The image of `spec` built from its Dockerfile, labelled for teardown and reaping."""
        return build_image(self.client, spec,
                           tag=f"archlab/build:{object_name(self.session_id, spec.name)}",
                           labels={**self.labels, SERVICE: spec.name})

    def _new_anchor(self, spec: ServiceSpec, image: str) -> Container:
        """The created (not yet started) anchor of `spec`, answering to the service's name on
        the network once started."""
        kwargs = anchor_kwargs(spec, image=image, labels={**self.labels, SERVICE: spec.name},
                               name=object_name(self.session_id, f"{spec.name}-anchor"),
                               network=self.network.name)
        kwargs["networking_config"] = {self.network.name: self.client.api.create_endpoint_config(
            aliases=[spec.name])}
        return self.client.containers.create(**kwargs)

    def _start_anchor(self, spec: ServiceSpec) -> bool:
        """Start the anchor of `spec`: False when containerd lost it while starting."""
        with self._building():
            try:
                start_container(self.anchors[spec.name])
            except docker.errors.APIError as exc:
                if "cannot start a stopped process" not in str(exc):
                    raise
                return False
        return True

    def _create(self, spec: ServiceSpec, image: str, env: dict[str, str]) -> Container:
        labels = {**self.labels, SERVICE: spec.name}
        volume = None
        if data_mount(spec):
            volume = self.client.volumes.create(object_name(self.session_id, spec.name),
                                                labels=labels).name
        if spec.kind in ("app", "process"):
            env = {"HOST": ALL_INTERFACES, "PORT": str(service_port(spec)), **env}
        kwargs = create_kwargs(spec, image=image, name=object_name(self.session_id, spec.name),
                               anchor=self.anchors[spec.name].id, env=env, labels=labels,
                               volume=volume)
        built = self.built.get(spec.name)
        if built is not None:  # the image's own CMD, WORKDIR and (non-root) USER
            kwargs.update(image=built.tag, command=None, user=built.run_as)
            kwargs.pop("working_dir")
        self.create_args[spec.name] = kwargs
        container = self.client.containers.create(**kwargs)
        if spec.source is not None and data_mount(spec) and not container.put_archive(
                data_mount(spec), source_archive(spec.source, spec.files)):
            raise SandboxError(f"copying the files of {spec.name!r} failed")
        return container

    def _container(self, name: str) -> Container:
        self._check_open()
        self.topology.service(name)  # KeyError naming the services for a typo
        return self.containers[name]

    def endpoint(self, name: str) -> tuple[str, int]:
        """The anchor's address: the service's, whether the service runs or not."""
        self._container(name)
        if name not in self.addresses:
            anchor = self.anchors[name]
            with contextlib.suppress(docker.errors.NotFound):
                anchor.reload()
                network = anchor.attrs["NetworkSettings"]["Networks"].get(self.network.name)
                if network and network.get("IPAddress"):
                    self.addresses[name] = network["IPAddress"]
        if name not in self.addresses:
            raise SandboxError(f"service {name!r} has no address on the session network")
        return self.addresses[name], service_port(self.topology.service(name))

    def logs(self, name: str, lines: int = 50) -> str:
        try:
            return self._container(name).logs(tail=lines).decode(errors="replace").rstrip()
        except docker.errors.NotFound as exc:
            raise SandboxError(f"the container of {name!r} is gone") from exc

    def status(self, name: str) -> ServiceStatus:
        container = self._container(name)
        try:
            container.reload()
        except docker.errors.NotFound as exc:
            raise SandboxError(f"the container of {name!r} is gone") from exc
        state = container.attrs["State"]
        if state["Running"]:
            return ServiceStatus(running=not state["Paused"], paused=state["Paused"],
                                 uptime_s=uptime(state.get("StartedAt", "")))
        started = state.get("StartedAt", "").startswith("0001") is False
        return ServiceStatus(running=False, exit_code=state["ExitCode"] if started else None,
                             oom_killed=state["OOMKilled"] or (
                                 started and state["ExitCode"] == SIGKILLED
                                 and oom_logged(self.client, container, state["StartedAt"])))

    def service_user(self, name: str) -> ServiceUser:
        container = self._container(name)
        built = self.built.get(name)
        try:
            processes = container.top(ps_args="-o uid,pid")["Processes"] or []
        except docker.errors.APIError:  # not running: no processes
            processes = []
        uids = tuple(sorted({int(row[0]) for row in processes}))
        if built is None:  # the runtime image, whose USER is the sandbox's own
            return ServiceUser(f"{APP_UID}:{APP_UID}", APP_UID, uids)
        return ServiceUser(built.user, built.uid, uids)

    def _shell(self, name: str) -> DockerShell:
        if not self.status(name).running:
            raise SandboxError(f"the service {name!r} is not running")
        return DockerShell(self.client, self.containers[name])

    def stop(self, name: str, timeout: float = STOP_TIMEOUT) -> None:
        self._container(name).stop(timeout=math.ceil(timeout))  # the engine takes whole seconds

    def kill(self, name: str) -> None:
        container = self._container(name)
        container.kill()
        container.wait(timeout=STOP_TIMEOUT)

    def start(self, name: str) -> None:
        start_container(self._container(name))

    def restart(self, name: str) -> None:
        self._container(name).restart(timeout=STOP_TIMEOUT)

    def reconfigure(self, name: str, env: dict[str, str]) -> None:
        """Stop the service and run it again from the same image and files with `env`
        added to its environment (a new container: Docker cannot change a container's env)."""
        old = self._container(name)
        old.stop(timeout=STOP_TIMEOUT)
        kwargs = self.create_args[name]
        kwargs["environment"] = {**kwargs["environment"], **env}
        with self._building():
            old.remove(force=True)  # the anchor keeps the service's address
            self.containers[name] = self.client.containers.create(**kwargs)
            start_container(self.containers[name])
        self.wait_ready(name)

    def pause(self, name: str) -> None:
        self._container(name).pause()

    def unpause(self, name: str) -> None:
        self._container(name).unpause()

    def add_latency(self, name: str, ms: float) -> None:
        self._container(name)
        faults.add_latency(self.anchors[name], ms)

    def cut(self, name: str) -> None:
        self._container(name)
        if name not in self.cut_off:
            self.network.disconnect(self.anchors[name])
            self.addresses.pop(name, None)
            self.cut_off.add(name)

    def heal(self, name: str) -> None:
        self._container(name)
        if name in self.cut_off:
            self.network.connect(self.anchors[name], aliases=[name])
            self.cut_off.discard(name)
            self.wait_ready(name)  # the new interface answers before heal returns

    def _teardown(self) -> None:
        # A janitor may tear the same session down at the same moment (it took the grade
        # back from a worker it thought dead); a few passes settle what the race left.
        for attempt in range(TEARDOWN_PASSES):
            with contextlib.suppress(docker.errors.DockerException):
                reap(self.client, session_id=self.session_id)
                if not remaining(self.client, self.session_id):
                    break
            time.sleep(0.2 * (attempt + 1))
        self.client.close()
