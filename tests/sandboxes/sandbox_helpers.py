"""Helpers of the sandbox tests: the probe app's spec, a GET that insists on 200, and what
a session leaves behind per backend. (Not in conftest.py: `from conftest import` is ambiguous
when the whole suite runs.)"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import httpx

from sandboxes import Limits, Readiness, ServiceSpec, Session

PROBE_APP = Path(__file__).resolve().parent / "probe_app"


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
