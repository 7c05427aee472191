"""Where a lab's services run: one interface, a Docker backend and a local-process backend.

    from sandboxes import Topology, ServiceSpec, Limits, Readiness, get_backend
    with get_backend().start(topology, session_id="sub-1", deadline_s=240) as session:
        session.url("app")
"""

from sandboxes.errors import (
    BackendUnsupported,
    BuildFailed,
    FaultUnsupported,
    SandboxError,
    ServiceNotReady,
)
from sandboxes.selection import choose_backend, get_backend
from sandboxes.session import Session
from sandboxes.spec import (
    Build,
    Limits,
    Readiness,
    ServiceSpec,
    ServiceStatus,
    ServiceUser,
    Topology,
)

__all__ = [
    "BackendUnsupported",
    "Build",
    "BuildFailed",
    "FaultUnsupported",
    "Limits",
    "Readiness",
    "SandboxError",
    "ServiceNotReady",
    "ServiceSpec",
    "ServiceStatus",
    "ServiceUser",
    "Session",
    "Topology",
    "choose_backend",
    "get_backend",
]
