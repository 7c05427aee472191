"""Helpers of the sandbox tests: the probe app's spec and a GET that insists on 200. (Not in
conftest.py: `from conftest import` is ambiguous when the whole suite runs.)"""

from __future__ import annotations

import subprocess
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


def shared_memory_keys() -> set[str]:
    """The keys of the machine's System V shared memory segments (`ipcs -m`)."""
    listing = subprocess.run(["ipcs", "-m"], capture_output=True, text=True, check=True)
    return {line.split()[0] for line in listing.stdout.splitlines()[3:] if line.strip()}
