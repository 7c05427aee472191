"""The jobs both queues run. A grade: claim a submission, grade it, store each check as it
finishes; a lab preview (webapp/grading/previews.py) is run the same way by `run_leased`.

RQ calls `run_queued(id, kind)` in an `archlab worker`; the embedded pool calls each kind's
`run` (webapp/grading/kinds.py) on its threads. Running a job twice is harmless: the claim
lets only one attempt at a time own the row.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from labs.catalog import UnknownLab, get_lab
from labs.results import CheckResult, Event
from labs.runner import grade
from labs.spec import LabSpecError
from webapp.db import EXTENSION
from webapp.grading import attempts
from webapp.grading.archive import write_tree
from webapp.grading.leftovers import sandbox_session_id
from webapp.grading.metrics import record_grade
from webapp.grading.queues import GRADE
from webapp.grading.settings import labs_root, sandbox_backend, setting

log = logging.getLogger(__name__)
_bound_app: Flask | None = None


def bind_app(app: Flask) -> None:
    """The app whose database RQ jobs in this process use (set by `archlab worker`)."""
    global _bound_app
    _bound_app = app


def run_queued(job_id: int, kind: str = GRADE) -> None:
    """RQ entry point (jobs enqueued before previews existed carry no kind: grades)."""
    from webapp import create_app
    from webapp.grading.kinds import KINDS

    if _bound_app is None:
        bind_app(create_app())
    assert _bound_app is not None
    KINDS[kind].run(_bound_app, job_id)


Result = TypeVar("Result")


def run_leased(owner: attempts.Owner, sessions: sessionmaker[Session], lease: float,
               work: Callable[[], Result]) -> Result | None:
    """`work()` while a heartbeat renews the owner's lease; None when the attempt was taken
    over meanwhile (a write of it raised StaleAttempt: someone else runs the job now)."""
    heartbeat = _Heartbeat(sessions, owner, lease)
    heartbeat.start()
    try:
        return work()
    except attempts.StaleAttempt:
        log.warning("%s %s attempt %s was taken over; stopped", owner.model.__tablename__,
                    owner.job_id, owner.attempt)
        return None
    finally:
        heartbeat.stop()


def run_submission(app: Flask, submission_id: int) -> None:
    """Grade the submission unless another attempt holds it; re-enqueue a sandbox failure."""
    sessions: sessionmaker[Session] = app.extensions[EXTENSION]
    lease = float(setting(app, "GRADING_LEASE_S"))
    with sessions() as session:
        claim = attempts.claim(session, submission_id, lease)
    if claim is None:
        return
    retry = run_leased(claim, sessions, lease,
                       lambda: _grade_claim(app, sessions, claim, lease))
    if retry is None:
        return
    if not retry:
        from webapp.lti.passback import after_grade

        after_grade(app, submission_id)
    if retry:
        from webapp.grading.queues import QueueUnavailable, get_queue

        try:
            get_queue(app).enqueue(submission_id)
        except QueueUnavailable:
            log.warning("submission %s stays queued for the janitor: the queue is down",
                        submission_id)


def _grade_claim(app: Flask, sessions: sessionmaker[Session], claim: attempts.Claim,
                 lease: float) -> bool:
    try:
        lab = get_lab(claim.lab_id, labs_root(app))
    except (UnknownLab, LabSpecError) as exc:
        with sessions() as session:
            attempts.give_up(session, claim, f"the lab cannot be loaded: {exc}")
        return False
    recorder = _Recorder(sessions, claim, lease)
    with tempfile.TemporaryDirectory(prefix=f"archlab-sub{claim.submission_id}-") as scratch:
        write_tree(claim.files, Path(scratch))
        result = grade(lab, Path(scratch), backend=sandbox_backend(app),
                       submission_id=sandbox_session_id(claim.submission_id, claim.attempt),
                       on_event=recorder)
    record_grade(result)
    log.info("graded submission %s: %s, %s/%s in %.1fs", claim.submission_id,
             result.verdict.value, result.score, result.max_score, result.duration_s,
             extra={"submission_id": claim.submission_id, "attempt": claim.attempt,
                    "lab_id": result.lab_id, "verdict": result.verdict.value,
                    "score": result.score, "max_score": result.max_score,
                    "duration_s": round(result.duration_s, 3)})
    with sessions() as session:
        return attempts.finish(session, claim, result,
                               int(setting(app, "GRADING_INFRA_RETRIES")))


class _Recorder:
    """The runner's event callback: each event is written (fenced) the moment it happens."""

    def __init__(self, sessions: sessionmaker[Session], claim: attempts.Claim,
                 lease: float) -> None:
        self.sessions, self.claim, self.lease = sessions, claim, lease
        self.position = 0

    def __call__(self, event: Event) -> None:
        with self.sessions() as session:
            if event.kind == "grade_started":
                attempts.start_checks(session, self.claim, len(event.data["checks"]), self.lease)
            elif event.kind == "check_finished":
                result = CheckResult.from_dict(event.data["check"])
                attempts.record_check(session, self.claim, self.position, result, self.lease)
                self.position += 1


class _Heartbeat:
    """Renews the lease every third of it while a check or a sandbox start takes its time."""

    def __init__(self, sessions: sessionmaker[Session], owner: attempts.Owner,
                 lease: float) -> None:
        self.sessions, self.owner, self.lease = sessions, owner, lease
        self.stopped = threading.Event()
        self.thread = threading.Thread(
            target=self.run, daemon=True,
            name=f"lease-{owner.model.__tablename__}-{owner.job_id}")

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)

    def run(self) -> None:
        while not self.stopped.wait(self.lease / 3):
            try:
                with self.sessions() as session:
                    attempts.renew(session, self.owner, self.lease)
            except attempts.StaleAttempt:
                return
