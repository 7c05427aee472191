"""Sandboxes of attempts whose worker died: the janitor removes them when it takes the
submission back, rather than leaving them running until their deadline passes.

Both backends leave something this process can find by the session id the runner gives and
the lab label: Docker objects, or a process sandbox's folder and record (whose processes
are killed only once their owner, the dead worker, is really gone).
"""

from __future__ import annotations

import logging

from flask import Flask

from webapp.grading.settings import sandbox_backend

log = logging.getLogger(__name__)
LAB_LABEL = "archlab.lab"


def sandbox_session_id(submission_id: int, attempt: int) -> str:
    """The sandbox session (and runner submission) id of one attempt."""
    return f"sub{submission_id}-a{attempt}"


def discard_sandbox(app: Flask, submission_id: int, attempt: int, lab_id: str) -> int:
    """Remove what is left of this attempt's sandbox; how many objects went.

    The lab label must match too: submission ids are unique per site, not per machine, and
    another site's `sub7-a1` on the same machine is not ours to remove.
    """
    session_id = sandbox_session_id(submission_id, attempt)
    backend = getattr(sandbox_backend(app), "name", None)
    if backend == "docker":
        removed = _discard_docker(session_id, lab_id)
    elif backend == "process":
        from sandboxes.process.reaper import reap

        removed = reap(session_id=session_id, labels={LAB_LABEL: lab_id})
    else:
        return 0
    if removed:
        log.warning("removed %s %s objects of %s, whose worker died", removed, backend,
                    session_id)
    return removed


def _discard_docker(session_id: str, lab_id: str) -> int:
    import docker

    from sandboxes.docker.labels import SESSION
    from sandboxes.docker.reaper import reap

    ours = {"label": [f"{SESSION}={session_id}", f"{LAB_LABEL}={lab_id}"]}
    client = docker.from_env(timeout=60)
    try:
        if not (client.containers.list(all=True, filters=ours)
                or client.networks.list(filters=ours)):
            return 0
        return sum(reap(client, session_id=session_id).values())
    finally:
        client.close()
