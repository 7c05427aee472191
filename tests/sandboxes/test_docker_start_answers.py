"""How a container start's engine answer is read: containerd sometimes reports a start it
carried out as "cannot start an already running container" (seen in CI under load), and
can lose a service's started anchor before the service joins it."""

from __future__ import annotations

import os

import docker.errors
import pytest
from sandbox_helpers import get, probe_app

from sandboxes import ServiceSpec, Topology
from sandboxes.docker.backend import DockerBackend, DockerSession, start_container

ALREADY_RUNNING = ("OCI runtime start failed: cannot start an already running container: "
                   "unknown")


class EngineContainer:
    """A container whose start answers `error` and whose state after it is `status`."""

    def __init__(self, error: str | None, status: str) -> None:
        self.error, self.status, self.reloaded = error, "created", False
        self._after = status

    def start(self) -> None:
        self.status = self._after
        if self.error:
            raise docker.errors.APIError(f"500 Server Error: ({self.error!r})")

    def reload(self) -> None:
        self.reloaded = True


def test_an_already_running_answer_for_a_running_container_is_a_start() -> None:
    container = EngineContainer(ALREADY_RUNNING, status="running")
    start_container(container)  # type: ignore[arg-type]
    assert container.reloaded


def test_an_already_running_answer_for_a_container_that_is_not_running_fails() -> None:
    with pytest.raises(docker.errors.APIError, match="already running"):
        start_container(EngineContainer(ALREADY_RUNNING, status="exited"))  # type: ignore[arg-type]


def test_other_engine_errors_are_raised_without_a_second_look() -> None:
    container = EngineContainer("cannot start a stopped process: unknown", status="exited")
    with pytest.raises(docker.errors.APIError, match="stopped process"):
        start_container(container)  # type: ignore[arg-type]
    assert not container.reloaded


@pytest.mark.docker
def test_a_service_whose_anchor_was_lost_before_it_started_still_starts(
        runtime_image: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The anchor (the container holding the service's network namespace and name) stopped
    between its start and the service's: the engine refuses the service ("cannot join
    network of a non running container") until the anchor runs again."""
    original = DockerSession._start_until_ready

    def anchor_lost_first(self: DockerSession, spec: ServiceSpec) -> None:
        self.anchors[spec.name].kill()
        self.anchors[spec.name].wait(timeout=10)
        original(self, spec)

    monkeypatch.setattr(DockerSession, "_start_until_ready", anchor_lost_first)
    session = DockerBackend(image=runtime_image).start(
        Topology([probe_app()]), session_id=f"lost-anchor-{os.getpid()}", deadline_s=120)
    try:
        assert get(session, "/healthz")
    finally:
        session.close()
