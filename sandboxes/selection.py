"""Which backend runs a session: Docker when an engine answers, else local processes.

ARCHLAB_SANDBOX (docker | process | auto) overrides the caller's "auto".
"""

from __future__ import annotations

import os
from typing import Any

from sandboxes.errors import SandboxError

NAMES = ("auto", "docker", "process")


def docker_engine() -> tuple[bool, str]:
    """(answers, why): whether a Docker engine answers a ping from here."""
    try:
        import docker

        client = docker.from_env(timeout=5)
        try:
            version = client.version().get("Version", "?")
        finally:
            client.close()
    except Exception as exc:  # whatever the cause, the engine is not usable
        return False, f"no Docker engine answers ({exc.__class__.__name__}: {exc})"
    return True, f"the Docker engine {version} answers"


def choose_backend(name: str = "auto") -> tuple[str, str]:
    """(backend name, the reason it was chosen)."""
    if name == "auto" and os.environ.get("ARCHLAB_SANDBOX"):
        name = os.environ["ARCHLAB_SANDBOX"]
        source = "ARCHLAB_SANDBOX"
    else:
        source = "requested"
    if name not in NAMES:
        raise SandboxError(f"unknown sandbox backend {name!r}; expected one of "
                           f"{', '.join(NAMES)}")
    if name != "auto":
        return name, f"{source}: {name}"
    answers, why = docker_engine()
    return ("docker", why) if answers else ("process", why + "; using local processes")


def get_backend(name: str = "auto", *, trusted: bool = True) -> Any:
    """A backend object with start(topology, session_id, labels, deadline_s).

    trusted=False marks untrusted learners (the web app): the process backend then refuses
    to run unless the operator opted in with ARCHLAB_ALLOW_PROCESS_SANDBOX=1.
    """
    chosen, _ = choose_backend(name)
    if chosen == "docker":
        from sandboxes.docker.backend import DockerBackend

        return DockerBackend(trusted=trusted)
    from sandboxes.process.backend import ProcessBackend

    return ProcessBackend(trusted=trusted)
