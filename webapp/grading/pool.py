"""The embedded worker pool of `archlab serve` (no Redis): threads that claim queued rows of
every kind of job (webapp/grading/kinds.py: submissions and lab previews' rows), one at a
time and first come first served across kinds, as RQ's queue serves `archlab worker`: a
submission stored while a preview runs is graded before that preview's next row.

The pool is the only grader of its database, so on start it hands every `running` row back to
the queue (their worker died with the previous process), removes the sandboxes those
attempts left, and runs them again.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from flask import Flask

from webapp.classes.deadlines import as_utc
from webapp.db import EXTENSION
from webapp.grading import attempts
from webapp.grading.janitor import discard_sandboxes, run_janitor
from webapp.grading.kinds import KINDS, JobKind
from webapp.grading.queues import Doorbell, get_queue
from webapp.grading.settings import setting

log = logging.getLogger(__name__)
IDLE_POLL_S = 1.0


class EmbeddedPool:
    def __init__(self, app: Flask, workers: int | None = None) -> None:
        self.app = app
        self.workers = workers or int(setting(app, "GRADING_WORKERS"))
        queue = get_queue(app)
        if not isinstance(queue, Doorbell):
            raise RuntimeError("REDIS_URL is set: grading runs in `archlab worker` processes")
        self.doorbell = queue
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> EmbeddedPool:
        for kind in KINDS.values():
            with self.app.extensions[EXTENSION]() as session:
                resumed = attempts.requeue_all_running(session, kind.model)
            if resumed:
                log.info("resuming %s %s jobs that were running", len(resumed), kind.name)
                discard_sandboxes(self.app, kind, resumed)
        self.threads = [threading.Thread(target=self.work, daemon=True, name=f"grader-{n}")
                        for n in range(self.workers)]
        for thread in self.threads:
            thread.start()
        self.threads.append(run_janitor(self.app, self.stopping))
        return self

    def stop(self, timeout: float = 30) -> None:
        """Stop taking work and wait for grades in progress (what is left resumes next start)."""
        self.stopping.set()
        self.doorbell.enqueue(0)
        for thread in self.threads:
            thread.join(timeout)

    def work(self) -> None:
        while not self.stopping.is_set():
            due = self.next_job()
            if due is None:
                self.doorbell.wait(IDLE_POLL_S)
                continue
            kind, job_id = due
            try:
                kind.run(self.app, job_id)
            except Exception:
                log.exception("%s job %s failed; its lease will expire", kind.name, job_id)

    def next_job(self) -> tuple[JobKind, int] | None:
        """The claimable job whose turn came first, of any kind (None: nothing to do)."""
        due = []
        with self.app.extensions[EXTENSION]() as session:
            for kind in KINDS.values():
                found = attempts.next_claimable(session, kind.model, kind.turn)
                if found is not None:
                    due.append((_aware(found[0]), kind.name, found[1]))
        if not due:
            return None
        _, name, job_id = min(due)
        return KINDS[name], job_id


def _aware(moment: datetime | None) -> datetime:
    """The turn as an aware UTC time (SQLite hands it back naive); None sorts first."""
    return as_utc(moment) if moment is not None else datetime.min.replace(tzinfo=UTC)
