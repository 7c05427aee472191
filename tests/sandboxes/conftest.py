"""Backends under test, the probe app's service spec, and leftover detection per backend."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from sandboxes import ServiceSpec, Session, Topology
from sandboxes.docker.backend import DockerBackend
from sandboxes.process.backend import ProcessBackend
from tests.support.leftovers import docker_leftovers, process_leftovers

BACKENDS = ["process", "docker"]


@pytest.fixture(params=[pytest.param(name, marks=[pytest.mark.docker] if name == "docker"
                                     else []) for name in BACKENDS])
def backend(request: pytest.FixtureRequest):
    if request.param == "docker":
        return DockerBackend(image=request.getfixturevalue("runtime_image"))
    return ProcessBackend()


@pytest.fixture
def start(backend) -> Iterator:
    """start(*services, deadline_s=...) -> a running session, closed after the test."""
    sessions: list[Session] = []

    def run(*services: ServiceSpec, deadline_s: float = 120, session_id: str | None = None,
            ) -> Session:
        name = session_id or f"t{os.getpid()}-{len(sessions)}"
        session = backend.start(Topology(list(services)), session_id=name,
                                deadline_s=deadline_s)
        sessions.append(session)
        return session

    yield run
    for session in sessions:
        session.close()


@pytest.fixture
def leftovers(backend, request: pytest.FixtureRequest):
    """leftovers(session_id) -> what of that session still exists on this machine."""
    if isinstance(backend, DockerBackend):
        client = request.getfixturevalue("docker_client")
        return lambda session_id: docker_leftovers(client, session_id)
    return process_leftovers


@pytest.fixture(scope="session")
def runtime_image(docker_client) -> str:
    """The lab runtime image, built offline first when this machine lacks it (~1.5 min)."""
    from sandboxes.images.builder import build_runtime_image

    return build_runtime_image(docker_client)
