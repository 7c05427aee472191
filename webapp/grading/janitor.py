"""The janitor: hands submissions whose worker died (lease expired) back to the queue.

Every `archlab worker` and the embedded pool run one; several janitors agree because each
re-queue is a conditional UPDATE that only one of them wins.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from webapp.db import EXTENSION
from webapp.grading import attempts
from webapp.grading.queues import get_queue
from webapp.grading.settings import setting

log = logging.getLogger(__name__)


def sweep(app: Flask) -> list[int]:
    """Re-queue (and enqueue) every expired attempt once; returns their submission ids."""
    with app.extensions[EXTENSION]() as session:
        requeued = attempts.requeue_expired(session, int(setting(app, "GRADING_MAX_ATTEMPTS")))
    queue = get_queue(app)
    for submission_id in requeued:
        log.warning("submission %s lost its worker; re-queued", submission_id)
        queue.enqueue(submission_id)
    return requeued


def run_janitor(app: Flask, stopping: threading.Event) -> threading.Thread:
    """Sweep every half lease until `stopping` is set, on a daemon thread."""
    interval = float(setting(app, "GRADING_LEASE_S")) / 2

    def loop() -> None:
        while not stopping.wait(interval):
            try:
                sweep(app)
            except Exception:
                log.exception("janitor sweep failed; trying again in %.1fs", interval)

    thread = threading.Thread(target=loop, daemon=True, name="grading-janitor")
    thread.start()
    return thread
