"""How a container start's engine answer is read: containerd sometimes reports a start it
carried out as "cannot start an already running container" (seen in CI under load)."""

from __future__ import annotations

import docker.errors
import pytest

from sandboxes.docker.backend import start_container

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
