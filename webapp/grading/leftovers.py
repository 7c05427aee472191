"""Sandboxes of attempts whose worker died: the janitor removes them when it takes the
submission back, rather than leaving them running until their deadline passes; and, every
GRADING_REAP_S, every sandbox past its deadline that nobody tears down (`reap_expired`).

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


def discard_sandbox(app: Flask, session_id: str, lab_id: str) -> int:
    """Remove what is left of a dead attempt's sandbox session; how many objects went.

    The lab label must match too: submission ids are unique per site, not per machine, and
    another site's `sub7-a1` on the same machine is not ours to remove.
    """
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

    from sandboxes.docker.reaper import reap

    client = docker.from_env(timeout=60)
    try:  # the lab's label too: another site may have used the same session id
        return sum(reap(client, session_id=session_id, labels={LAB_LABEL: lab_id}).values())
    finally:
        client.close()


def reap_expired(app: Flask) -> int:
    """Remove the sandboxes of this site's backend that no process will tear down: past their
    deadline (either backend) or whose grader is dead (process), whoever started them - an
    `archlab grade` killed with SIGKILL, a worker whose database forgot it. How many went."""
    backend = getattr(sandbox_backend(app), "name", None)
    if backend == "docker":
        import docker

        from sandboxes.docker.reaper import reap as reap_docker

        client = docker.from_env(timeout=60)
        try:
            removed = sum(reap_docker(client).values())
        finally:
            client.close()
    elif backend == "process":
        from sandboxes.process.reaper import reap as reap_processes

        removed = reap_processes()
    else:
        return 0
    if removed:
        log.warning("removed %s %s objects of sandboxes past their deadline or owner", removed,
                    backend)
    return removed
