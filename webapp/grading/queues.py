"""Where a submission id goes after it is stored: RQ with REDIS_URL, else the embedded pool.

Both only carry ids: the database row is the truth, so a lost or duplicated message is
harmless (the janitor re-queues, the claim refuses a second owner).
"""

from __future__ import annotations

import threading
from typing import Protocol

from flask import Flask

from webapp.grading.settings import redis_url

QUEUE_NAME = "archlab-grading"
JOB = "webapp.grading.job.run_queued"
JOB_TIMEOUT_S = 1800  # a grade ends by its lab's time limit; this only bounds a stuck worker
EXTENSION = "archlab_grading_queue"


class GradingQueue(Protocol):
    def enqueue(self, submission_id: int) -> None: ...


class RQQueue:
    """Submission ids as RQ jobs for `archlab worker` processes."""

    def __init__(self, url: str) -> None:
        from redis import Redis
        from rq import Queue

        self.queue = Queue(QUEUE_NAME, connection=Redis.from_url(url))

    def enqueue(self, submission_id: int) -> None:
        self.queue.enqueue(JOB, submission_id, job_timeout=JOB_TIMEOUT_S, result_ttl=3600,
                           failure_ttl=7 * 24 * 3600)


class Doorbell:
    """The embedded mode's queue: the rows are the queue, enqueueing wakes the pool's threads."""

    def __init__(self) -> None:
        self.ring = threading.Condition()

    def enqueue(self, submission_id: int) -> None:
        with self.ring:
            self.ring.notify_all()

    def wait(self, timeout: float) -> None:
        with self.ring:
            self.ring.wait(timeout)


def get_queue(app: Flask) -> GradingQueue:
    """The app's queue, made on first use."""
    queue = app.extensions.get(EXTENSION)
    if queue is None:
        url = redis_url(app)
        queue = RQQueue(url) if url else Doorbell()
        app.extensions[EXTENSION] = queue
    return queue
