"""The janitor: hands jobs whose worker died (lease expired) back to the queue - submissions
and lab previews alike (webapp/grading/kinds.py) -, sends the LMS score posts whose retry
time came (webapp/lti/passback.py), removes the sandboxes those workers left, enqueues
queued rows the queue lost (Redis restarted without persistence, or was down when the row
was stored), and every GRADING_REAP_S removes any sandbox past its deadline that no
process remembers.

Every `archlab worker` and the embedded pool run one; several janitors agree because each
re-queue is a conditional UPDATE that only one of them wins, and an extra job for a row is
harmless (its claim refuses a second owner).
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from webapp.db import EXTENSION
from webapp.grading import attempts
from webapp.grading.kinds import KINDS, JobKind
from webapp.grading.leftovers import discard_sandbox, reap_expired
from webapp.grading.queues import get_queue
from webapp.grading.settings import setting
from webapp.lti.passback import send_due

log = logging.getLogger(__name__)


def sweep(app: Flask) -> list[tuple[str, int]]:
    """Take back every expired attempt once and enqueue what needs a worker; returns the
    (kind, id) pairs enqueued (re-queued after a lost worker, or found missing from the
    queue)."""
    max_attempts = int(setting(app, "GRADING_MAX_ATTEMPTS"))
    queue = get_queue(app)
    enqueued: list[tuple[str, int]] = []
    for kind in KINDS.values():
        with app.extensions[EXTENSION]() as session:
            taken = attempts.requeue_expired(session, max_attempts, kind.model,
                                             kind.gave_up(max_attempts), kind.tries)
        discard_sandboxes(app, kind, taken)
        requeued = [dead.job_id for dead in taken if dead.requeued]
        for job_id in requeued:
            log.warning("%s %s lost its worker; re-queued", kind.name, job_id)
            queue.enqueue(job_id, kind.name)
        with app.extensions[EXTENSION]() as session:
            waiting = [i for i in attempts.queued_ids(session, kind.model) if i not in requeued]
        missing = sorted(set(waiting) - queue.holds(waiting, kind.name))
        for job_id in missing:
            log.warning("%s %s was queued but the queue held no job for it; enqueued",
                        kind.name, job_id)
            queue.enqueue(job_id, kind.name)
        enqueued += [(kind.name, job_id) for job_id in requeued + missing]
    return enqueued


def discard_sandboxes(app: Flask, kind: JobKind, taken: list[attempts.TakenBack]) -> None:
    """Remove the sandboxes the taken-back attempts left; a failure is logged, never raised
    (a Docker hiccup must not stop what the caller does next: re-queueing)."""
    for dead in taken:
        try:
            with app.extensions[EXTENSION]() as session:
                session_ids = kind.sandboxes(session, dead)
            for session_id in session_ids:
                discard_sandbox(app, session_id, dead.lab_id)
        except Exception:
            log.exception("could not remove the sandbox of %s %s attempt %s", kind.name,
                          dead.job_id, dead.attempt)


def run_janitor(app: Flask, stopping: threading.Event) -> threading.Thread:
    """Sweep every half lease, and reap expired sandboxes every GRADING_REAP_S, until
    `stopping` is set, on a daemon thread."""
    interval = float(setting(app, "GRADING_LEASE_S")) / 2
    reap_every = float(setting(app, "GRADING_REAP_S"))

    def loop() -> None:
        next_reap = time.monotonic() + reap_every
        while not stopping.wait(interval):
            try:
                sweep(app)
            except Exception:
                log.exception("janitor sweep failed; trying again in %.1fs", interval)
            try:
                send_due(app)
            except Exception:
                log.exception("sending due LMS score posts failed; trying again in %.1fs",
                              interval)
            if time.monotonic() >= next_reap:
                next_reap = time.monotonic() + reap_every
                try:
                    reap_expired(app)
                except Exception:
                    log.exception("reaping expired sandboxes failed; trying again in %.0fs",
                                  reap_every)

    thread = threading.Thread(target=loop, daemon=True, name="grading-janitor")
    thread.start()
    return thread
