"""Backends under test, the probe app's service spec, and leftover detection per backend."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sandboxes import Limits, Readiness, ServiceSpec, Session, Topology
from sandboxes.docker.backend import DockerBackend
from sandboxes.process.backend import ProcessBackend

PROBE_APP = Path(__file__).resolve().parent / "probe_app"
BACKENDS = ["process", "docker"]


def probe_app(**changes: object) -> ServiceSpec:
    """The probe app as the learner's `app`, ready on GET /healthz."""
    fields: dict = {"name": "app", "kind": "app", "command": ["python3", "app.py"],
                    "source": PROBE_APP, "ready": Readiness(http="/healthz", timeout=20),
                    "limits": Limits(memory_mb=128, pids=64)}
    fields.update(changes)
    return ServiceSpec(**fields)


def get(session: Session, path: str, /, timeout: float = 10, **params: object) -> str:
    response = httpx.get(session.url("app") + path, params=params, timeout=timeout)
    assert response.status_code == 200, f"GET {path}: expected 200, got {response.status_code}"
    return response.text


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


def process_leftovers(session_id: str) -> list[str]:
    """Scratch folders and live processes (by working directory) of a process session."""
    prefix = f"{tempfile.gettempdir()}/archlab/sbx-{session_id}-"
    found = [str(p) for p in Path(prefix).parent.glob(Path(prefix).name + "*")]
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            if os.readlink(proc / "cwd").startswith(prefix):
                found.append(f"pid {proc.name}")
    return found


def docker_leftovers(client, session_id: str) -> list[str]:
    """Containers, networks and volumes labelled with the session."""
    label = {"label": f"archlab.session={session_id}"}
    return ([f"container {c.name}" for c in client.containers.list(all=True, filters=label)]
            + [f"network {n.name}" for n in client.networks.list(filters=label)]
            + [f"volume {v.name}" for v in client.volumes.list(filters=label)])


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
