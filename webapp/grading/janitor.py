"""The janitor: hands submissions whose worker died (lease expired) back to the queue, sends
the LMS score posts whose retry time came (webapp/lti/passback.py), removes
the sandboxes those workers left, enqueues queued submissions the queue lost (Redis
restarted without persistence, or was down when the learner submitted), and every
GRADING_REAP_S removes any sandbox past its deadline that no process remembers.

Every `archlab worker` and the embedded pool run one; several janitors agree because each
re-queue is a conditional UPDATE that only one of them wins, and an extra job for a submission
is harmless (its claim refuses a second owner).
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from webapp.db import EXTENSION
from webapp.grading import attempts
from webapp.grading.leftovers import discard_sandbox, reap_expired
from webapp.grading.queues import get_queue
from webapp.grading.settings import setting
from webapp.lti.passback import send_due

log = logging.getLogger(__name__)


def sweep(app: Flask) -> list[int]:
    """Take back every expired attempt once and enqueue what needs a worker; returns the ids
    enqueued (re-queued after a lost worker, or found missing from the queue)."""
    with app.extensions[EXTENSION]() as session:
        taken = attempts.requeue_expired(session, int(setting(app, "GRADING_MAX_ATTEMPTS")))
    discard_sandboxes(app, taken)
    queue = get_queue(app)
    requeued = [dead.submission_id for dead in taken if dead.requeued]
    for submission_id in requeued:
        log.warning("submission %s lost its worker; re-queued", submission_id)
        queue.enqueue(submission_id)
    with app.extensions[EXTENSION]() as session:
        waiting = [i for i in attempts.queued_ids(session) if i not in requeued]
    missing = sorted(set(waiting) - queue.holds(waiting))
    for submission_id in missing:
        log.warning("submission %s was queued but the queue held no job for it; enqueued",
                    submission_id)
        queue.enqueue(submission_id)
    return requeued + missing


def discard_sandboxes(app: Flask, taken: list[attempts.TakenBack]) -> None:
    """Remove the sandboxes the taken-back attempts left; a failure is logged, never raised
    (a Docker hiccup must not stop what the caller does next: re-queueing)."""
    for dead in taken:
        try:
            discard_sandbox(app, dead.submission_id, dead.attempt, dead.lab_id)
        except Exception:
            log.exception("could not remove the sandbox of submission %s attempt %s",
                          dead.submission_id, dead.attempt)


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
