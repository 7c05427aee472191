"""The grading state machine in the database, fenced by attempt numbers.

A worker claims a submission (queued, or running with an expired lease), which bumps its
`attempt`. Every later write of that worker (check results, lease renewals, the final score)
is an UPDATE guarded by `attempt = mine AND status = running`, so once a janitor has handed
the submission to someone else, a slow or resurrected worker's writes change nothing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from labs.results import CheckResult, GradeResult, Verdict
from webapp.models import ERROR, GRADED, QUEUED, RUNNING, CheckRecord, Submission, utcnow


class StaleAttempt(RuntimeError):
    """This attempt no longer owns its submission; the worker must stop writing."""


@dataclass(frozen=True)
class Claim:
    submission_id: int
    attempt: int
    lab_id: str
    files: bytes


def _claimable(now):  # type: ignore[no-untyped-def]
    return or_(
        Submission.status == QUEUED,
        and_(Submission.status == RUNNING, Submission.lease_expires_at < now),
    )


def claim(session: Session, submission_id: int, lease_s: float) -> Claim | None:
    """Start a new attempt on the submission, or None when someone else holds it or it is done."""
    now = utcnow()
    claimed = session.execute(
        update(Submission)
        .where(Submission.id == submission_id, _claimable(now))
        .values(status=RUNNING, attempt=Submission.attempt + 1, check_count=None,
                lease_expires_at=now + timedelta(seconds=lease_s), started_at=now)
    )
    session.commit()
    if claimed.rowcount != 1:
        return None
    row = session.execute(
        select(Submission.attempt, Submission.lab_id, Submission.files)
        .where(Submission.id == submission_id)
    ).one()
    return Claim(submission_id, row.attempt, row.lab_id, row.files)


def claimable_ids(session: Session, limit: int = 10) -> list[int]:
    """Oldest submissions a worker could claim now (for the embedded pool's polling)."""
    query = select(Submission.id).where(_claimable(utcnow())).order_by(Submission.id).limit(limit)
    return list(session.scalars(query))


def _fence(claim_: Claim):  # type: ignore[no-untyped-def]
    return update(Submission).where(Submission.id == claim_.submission_id,
                                    Submission.attempt == claim_.attempt,
                                    Submission.status == RUNNING)


def _guarded(session: Session, claim_: Claim, **values: object) -> None:
    if session.execute(_fence(claim_).values(**values)).rowcount != 1:
        session.rollback()
        raise StaleAttempt(f"submission {claim_.submission_id} attempt {claim_.attempt} "
                           "was taken over")


def renew(session: Session, claim_: Claim, lease_s: float) -> None:
    """Extend the lease (the heartbeat); StaleAttempt when the attempt was taken over."""
    _guarded(session, claim_, lease_expires_at=utcnow() + timedelta(seconds=lease_s))
    session.commit()


def start_checks(session: Session, claim_: Claim, count: int, lease_s: float) -> None:
    _guarded(session, claim_, check_count=count,
             lease_expires_at=utcnow() + timedelta(seconds=lease_s))
    session.commit()


def record_check(session: Session, claim_: Claim, position: int, result: CheckResult,
                 lease_s: float) -> None:
    """Store one finished check for this attempt, in the same transaction as a lease renewal."""
    _guarded(session, claim_, lease_expires_at=utcnow() + timedelta(seconds=lease_s))
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
        _guarded(session, claim_, status=QUEUED, infra_retries=retries + 1,
                 lease_expires_at=None)
    else:
        details = {"log_tail": result.log_tail, "metrics": result.metrics,
                   "charts": result.charts, "seed": result.seed,
                   "duration_s": result.duration_s, "cause": result.cause,
                   "cause_line": result.cause_line, "timings": asdict(result.timings)}
        _guarded(session, claim_, status=ERROR if uncounted else GRADED,
                 verdict=result.verdict.value, score=result.score, max_score=result.max_score,
                 details=json.dumps(details), finished_at=utcnow(), lease_expires_at=None)
    session.commit()
    return retry


def give_up(session: Session, claim_: Claim, why: str) -> None:
    """End the attempt as an error that costs the learner nothing (e.g. the lab is gone)."""
    _guarded(session, claim_, status=ERROR, verdict=Verdict.INFRASTRUCTURE_ERROR.value,
             details=json.dumps({"error": why}), finished_at=utcnow(), lease_expires_at=None)
    session.commit()


@dataclass(frozen=True)
class TakenBack:
    """An attempt whose worker stopped renewing its lease; its sandbox may still be running."""

    submission_id: int
    attempt: int
    lab_id: str
    requeued: bool  # False: given up as an error after `max_attempts` claims


def requeue_expired(session: Session, max_attempts: int) -> list[TakenBack]:
    """Hand running submissions whose worker stopped renewing back to the queue.

    The caller enqueues the re-queued ones and removes the dead attempts' sandboxes. A
    submission that has already been claimed `max_attempts` times ends as an error instead of
    looping forever. Each row is taken back by a conditional UPDATE on its attempt, so of
    several janitors exactly one wins it.
    """
    now = utcnow()
    expired = and_(Submission.status == RUNNING, Submission.lease_expires_at < now)
    gave_up = {"status": ERROR, "verdict": Verdict.INFRASTRUCTURE_ERROR.value,
               "finished_at": now, "lease_expires_at": None,
               "details": json.dumps({"error": f"grading stopped {max_attempts} times"})}
    taken = []
    rows = session.execute(select(Submission.id, Submission.attempt, Submission.lab_id)
                           .where(expired)).all()
    for submission_id, attempt, lab_id in rows:
        requeue = attempt < max_attempts
        values = {"status": QUEUED, "lease_expires_at": None} if requeue else gave_up
        won = session.execute(update(Submission).where(
            Submission.id == submission_id, Submission.attempt == attempt, expired)
            .values(**values))
        if won.rowcount == 1:
            taken.append(TakenBack(submission_id, attempt, lab_id, requeue))
    session.commit()
    return taken


def queued_ids(session: Session) -> list[int]:
    """Every submission waiting for a worker (the janitor checks the queue still holds them)."""
    return list(session.scalars(select(Submission.id).where(Submission.status == QUEUED)
                                .order_by(Submission.id)))


def requeue_all_running(session: Session) -> list[TakenBack]:
    """On start of the embedded mode (the only grader of its database): resume what was cut.
    The caller removes the cut attempts' sandboxes."""
    rows = session.execute(select(Submission.id, Submission.attempt, Submission.lab_id)
                           .where(Submission.status == RUNNING)).all()
    session.execute(update(Submission).where(Submission.status == RUNNING)
                    .values(status=QUEUED, lease_expires_at=None))
    session.commit()
    return [TakenBack(submission_id, attempt, lab_id, True)
            for submission_id, attempt, lab_id in rows]
