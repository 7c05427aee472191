"""Where a job's id goes after its row is stored: RQ with REDIS_URL, else the embedded pool.

Two kinds of job share the queue and its workers: `grade` (a submission) and `preview` (one
row of an instructor's lab preview, which enqueues itself again for its next row,
webapp/grading/previews.py). Both only carry (kind, id): the
database row is the truth, so a lost or duplicated message is harmless (the janitor
re-queues, the claim refuses a second owner). Redis may lose its jobs (a restart without
persistence) or be down when a learner submits: the row stays `queued`, and the janitor
enqueues every queued row the queue no longer `holds`.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable
from typing import Protocol

from flask import Flask

from webapp.grading.settings import redis_url

QUEUE_NAME = "archlab-grading"
JOB = "webapp.grading.job.run_queued"
JOB_TIMEOUT_S = 1800  # a grade ends by its lab's time limit; this only bounds a stuck worker
EXTENSION = "archlab_grading_queue"

GRADE = "grade"
PREVIEW = "preview"
# RQ job ids are <prefix><id>-<random>, so a job names its kind and row
JOB_ID_PREFIXES = {GRADE: "grade-sub", PREVIEW: "lab-preview"}


class QueueUnavailable(RuntimeError):
    """The queue's server does not answer; the row stays queued for the janitor."""


class GradingQueue(Protocol):
    def enqueue(self, job_id: int, kind: str = GRADE) -> None: ...

    def holds(self, job_ids: Iterable[int], kind: str = GRADE) -> set[int]:
        """Which of these queued rows of `kind` have a job waiting or running."""
        ...


class RQQueue:
    """(kind, id) pairs as RQ jobs for `archlab worker` processes."""

    def __init__(self, url: str) -> None:
        from redis import Redis
        from rq import Queue

        self.queue = Queue(QUEUE_NAME, connection=Redis.from_url(url))

    def enqueue(self, job_id: int, kind: str = GRADE) -> None:
        from redis.exceptions import RedisError

        rq_id = f"{JOB_ID_PREFIXES[kind]}{job_id}-{uuid.uuid4().hex[:8]}"
        try:
            self.queue.enqueue(JOB, job_id, kind, job_id=rq_id, job_timeout=JOB_TIMEOUT_S,
                               result_ttl=3600, failure_ttl=7 * 24 * 3600)
        except RedisError as exc:
            raise QueueUnavailable(f"Redis does not answer: {exc}") from exc

    def holds(self, job_ids: Iterable[int], kind: str = GRADE) -> set[int]:
        from redis.exceptions import RedisError
        from rq.registry import StartedJobRegistry

        try:
            rq_ids = [*self.queue.get_job_ids(),
                      *StartedJobRegistry(queue=self.queue).get_job_ids(cleanup=False)]
        except RedisError as exc:
            raise QueueUnavailable(f"Redis does not answer: {exc}") from exc
        held = {_row_of(rq_id, JOB_ID_PREFIXES[kind]) for rq_id in rq_ids}
        return {job_id for job_id in job_ids if job_id in held}


def _row_of(rq_id: str, prefix: str) -> int | None:
    number = rq_id.removeprefix(prefix).split("-", 1)[0]
    return int(number) if rq_id.startswith(prefix) and number.isdigit() else None


class Doorbell:
    """The embedded mode's queue: the rows are the queue, enqueueing wakes the pool's threads."""

    def __init__(self) -> None:
        self.ring = threading.Condition()

    def enqueue(self, job_id: int, kind: str = GRADE) -> None:
        with self.ring:
            self.ring.notify_all()

    def holds(self, job_ids: Iterable[int], kind: str = GRADE) -> set[int]:
        return set(job_ids)  # the pool reads the rows themselves: nothing can be lost

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
