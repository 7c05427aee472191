"""Sandboxes of attempts whose worker died: the janitor removes them when it takes the
submission back, rather than leaving them running until their deadline passes.

Only Docker sandboxes outlive a killed worker as objects this process can find (by the
session label the runner gives them); a process sandbox's children are the process backend's
to clean up.
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
    """Remove the Docker objects of this attempt's sandbox; how many went.

    The lab label must match too: submission ids are unique per site, not per Docker engine,
    and another site's `sub7-a1` on the same engine is not ours to remove.
    """
    if getattr(sandbox_backend(app), "name", None) != "docker":
        return 0
    import docker

    from sandboxes.docker.labels import SESSION
    from sandboxes.docker.reaper import reap

    session_id = sandbox_session_id(submission_id, attempt)
    ours = {"label": [f"{SESSION}={session_id}", f"{LAB_LABEL}={lab_id}"]}
    client = docker.from_env(timeout=60)
    try:
        if not (client.containers.list(all=True, filters=ours)
                or client.networks.list(filters=ours)):
            return 0
        removed = sum(reap(client, session_id=session_id).values())
    finally:
        client.close()
    log.warning("removed %s Docker objects of %s, whose worker died", removed, session_id)
    return removed
