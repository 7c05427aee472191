"""The grading state machine in the database, fenced by attempt numbers.

A worker claims a job's row (queued, or running with an expired lease), which bumps its
`attempt`. Every later write of that worker (check results, lease renewals, the final score)
is an UPDATE guarded by `attempt = mine AND status = running`, so once a janitor has handed
the row to someone else, a slow or resurrected worker's writes change nothing.

The claim, lease and take-back functions serve every kind of job whose table has the leased
columns (status, attempt, lease_expires_at, started_at, finished_at, lab_id): submissions,
and lab previews (webapp/grading/previews.py); the rest is a submission's own.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar, Protocol

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from labs.results import CheckResult, GradeResult, Verdict
from webapp.models import (
    ERROR,
    GRADED,
    QUEUED,
    RUNNING,
    CheckRecord,
    LabPreview,
    Submission,
    utcnow,
)

Leased = type[Submission] | type[LabPreview]


class Owner(Protocol):
    """An attempt that owns a row: which table, which row, which attempt."""

    model: ClassVar[Leased]

    @property
    def job_id(self) -> int: ...

    @property
    def attempt(self) -> int: ...


class StaleAttempt(RuntimeError):
    """This attempt no longer owns its submission; the worker must stop writing."""


@dataclass(frozen=True)
class Claim:
    submission_id: int
    attempt: int
    lab_id: str
    files: bytes
    model: ClassVar[Leased] = Submission

    @property
    def job_id(self) -> int:
        return self.submission_id


def _claimable(model: Leased, now):  # type: ignore[no-untyped-def]
    return or_(
        model.status == QUEUED,
        and_(model.status == RUNNING, model.lease_expires_at < now),
    )


def claim_row(session: Session, model: Leased, job_id: int, lease_s: float,
              **reset: Any) -> int | None:
    """Start a new attempt on the row (also setting `reset`, which may replace the default
    values, e.g. keep a first `started_at`): its number, or None when someone else holds it
    or it is done."""
    now = utcnow()
    values = {"status": RUNNING, "attempt": model.attempt + 1,
              "lease_expires_at": now + timedelta(seconds=lease_s), "started_at": now, **reset}
    claimed = session.execute(
        update(model).where(model.id == job_id, _claimable(model, now)).values(**values))
    session.commit()
    if claimed.rowcount != 1:
        return None
    return session.scalar(select(model.attempt).where(model.id == job_id))


def claim(session: Session, submission_id: int, lease_s: float) -> Claim | None:
    """Start a new attempt on the submission, or None when someone else holds it or it is done."""
    attempt = claim_row(session, Submission, submission_id, lease_s, check_count=None)
    if attempt is None:
        return None
    row = session.execute(
        select(Submission.lab_id, Submission.files).where(Submission.id == submission_id)
    ).one()
    return Claim(submission_id, attempt, row.lab_id, row.files)


def claimable_ids(session: Session, model: Leased = Submission, limit: int = 10) -> list[int]:
    """Oldest rows a worker could claim now."""
    query = (select(model.id).where(_claimable(model, utcnow())).order_by(model.id)
             .limit(limit))
    return list(session.scalars(query))


def next_claimable(session: Session, model: Leased, turn: Any) -> tuple[datetime, int] | None:
    """(when it joined the queue, id) of the row whose turn came first among those a worker
    could claim now; `turn` is the model's column of that time (for the embedded pool, which
    serves every kind in one first-come order, as RQ's queue does)."""
    row = session.execute(select(turn, model.id).where(_claimable(model, utcnow()))
                          .order_by(turn, model.id).limit(1)).first()
    return (row[0], row[1]) if row is not None else None


def guarded(session: Session, owner: Owner, **values: object) -> None:
    """UPDATE the row owner's way; StaleAttempt (rolled back) when the attempt was taken over."""
    model = owner.model
    fence = update(model).where(model.id == owner.job_id, model.attempt == owner.attempt,
                                model.status == RUNNING)
    if session.execute(fence.values(**values)).rowcount != 1:
        session.rollback()
        raise StaleAttempt(f"{model.__tablename__} {owner.job_id} attempt {owner.attempt} "
                           "was taken over")


def renew(session: Session, owner: Owner, lease_s: float) -> None:
    """Extend the lease (the heartbeat); StaleAttempt when the attempt was taken over."""
    guarded(session, owner, lease_expires_at=utcnow() + timedelta(seconds=lease_s))
    session.commit()


def start_checks(session: Session, claim_: Claim, count: int, lease_s: float) -> None:
    guarded(session, claim_, check_count=count,
             lease_expires_at=utcnow() + timedelta(seconds=lease_s))
    session.commit()


def record_check(session: Session, claim_: Claim, position: int, result: CheckResult,
                 lease_s: float) -> None:
    """Store one finished check for this attempt, in the same transaction as a lease renewal."""
    guarded(session, claim_, lease_expires_at=utcnow() + timedelta(seconds=lease_s))
    session.add(CheckRecord(
        submission_id=claim_.submission_id, attempt=claim_.attempt, position=position,
        check_id=result.id, name=result.name, status=result.status.value, points=result.points,
        max_points=result.max_points, message=result.message, evidence=result.evidence,
        hint=result.hint, duration_s=result.duration_s, blocked_by=result.blocked_by))
    session.commit()


def finish(session: Session, claim_: Claim, result: GradeResult, infra_retries: int) -> bool:
    """Store the final outcome; True when an infrastructure failure was queued for a retry.

    A sandbox failure is not the learner's: it is retried `infra_retries` times, then the
    submission ends as an `error` that never counts as a score. A lab this site's sandbox
    cannot grade (`not_gradable_here`) ends as such an error at once: a retry cannot help.
    """
    retries = session.scalar(select(Submission.infra_retries)
                             .where(Submission.id == claim_.submission_id)) or 0
    infrastructure = result.verdict is Verdict.INFRASTRUCTURE_ERROR
    retry = infrastructure and retries < infra_retries
    uncounted = not result.gradable  # also a lab this site's sandbox cannot grade: no retry
    if retry:
        guarded(session, claim_, status=QUEUED, infra_retries=retries + 1,
                 lease_expires_at=None)
    else:
        details = {"log_tail": result.log_tail, "metrics": result.metrics,
                   "charts": result.charts, "seed": result.seed,
                   "duration_s": result.duration_s, "cause": result.cause,
                   "cause_line": result.cause_line, "timings": asdict(result.timings)}
        guarded(session, claim_, status=ERROR if uncounted else GRADED,
                 verdict=result.verdict.value, score=result.score, max_score=result.max_score,
                 details=json.dumps(details), finished_at=utcnow(), lease_expires_at=None)
    session.commit()
    return retry


def give_up(session: Session, claim_: Claim, why: str) -> None:
    """End the attempt as an error that costs the learner nothing (e.g. the lab is gone)."""
    guarded(session, claim_, status=ERROR, verdict=Verdict.INFRASTRUCTURE_ERROR.value,
             details=json.dumps({"error": why}), finished_at=utcnow(), lease_expires_at=None)
    session.commit()


@dataclass(frozen=True)
class TakenBack:
    """An attempt whose worker stopped renewing its lease; its sandbox may still be running."""

    job_id: int
    attempt: int
    lab_id: str
    requeued: bool  # False: given up as an error after `max_attempts` claims


def gave_up_submission(max_attempts: int) -> dict[str, object]:
    """What a submission that lost its worker `max_attempts` times ends as."""
    return {"verdict": Verdict.INFRASTRUCTURE_ERROR.value,
            "details": json.dumps({"error": f"grading stopped {max_attempts} times"})}


def requeue_expired(session: Session, max_attempts: int, model: Leased = Submission,
                    gave_up: dict[str, object] | None = None,
                    tries: Any = None) -> list[TakenBack]:
    """Hand running rows whose worker stopped renewing back to the queue.

    The caller enqueues the re-queued ones and removes the dead attempts' sandboxes. A row
    that has already been claimed `max_attempts` times ends as an error (with the values of
    `gave_up`, by default a submission's) instead of looping forever; `tries` is the column
    that counts those claims (by default `attempt`: a lab preview counts the claims of its
    current row, as each of its rows is claimed anew). Each row is taken back by a
    conditional UPDATE on its attempt, so of several janitors exactly one wins it.
    """
    now = utcnow()
    tries = model.attempt if tries is None else tries
    expired = and_(model.status == RUNNING, model.lease_expires_at < now)
    ended = {"status": ERROR, "finished_at": now, "lease_expires_at": None,
             **(gave_up if gave_up is not None else gave_up_submission(max_attempts))}
    taken = []
    rows = session.execute(select(model.id, model.attempt, model.lab_id, tries)
                           .where(expired)).all()
    for job_id, attempt, lab_id, claims in rows:
        requeue = claims < max_attempts
        values = {"status": QUEUED, "lease_expires_at": None} if requeue else ended
        won = session.execute(update(model).where(
            model.id == job_id, model.attempt == attempt, expired).values(**values))
        if won.rowcount == 1:
            taken.append(TakenBack(job_id, attempt, lab_id, requeue))
    session.commit()
    return taken


def queued_ids(session: Session, model: Leased = Submission) -> list[int]:
    """Every row waiting for a worker (the janitor checks the queue still holds them)."""
    return list(session.scalars(select(model.id).where(model.status == QUEUED)
                                .order_by(model.id)))


def requeue_all_running(session: Session, model: Leased = Submission) -> list[TakenBack]:
    """On start of the embedded mode (the only grader of its database): resume what was cut.
    The caller removes the cut attempts' sandboxes."""
    rows = session.execute(select(model.id, model.attempt, model.lab_id)
                           .where(model.status == RUNNING)).all()
    session.execute(update(model).where(model.status == RUNNING)
                    .values(status=QUEUED, lease_expires_at=None))
    session.commit()
    return [TakenBack(job_id, attempt, lab_id, True) for job_id, attempt, lab_id in rows]
