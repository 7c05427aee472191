"""What instructors read from the grades: best scores per learner and lab, per-check failure
rates, and regrades (the lab's current grader re-run on past submissions)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import and_, case, func, select, update
from sqlalchemy.orm import Session

from labs.results import Status
from webapp.grading.queues import get_queue
from webapp.grading.service import Best, best_scores
from webapp.models import (
    ERROR,
    GRADED,
    LEARNER,
    QUEUED,
    CheckRecord,
    Regrade,
    RegradeItem,
    Submission,
    User,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(cell: object) -> object:
    """A text cell a spreadsheet will not run as a formula (learners choose names and emails)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


@dataclass(frozen=True)
class Gradebook:
    learners: list[User]
    lab_ids: list[str]
    best: dict[tuple[int, str], Best]

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["email", "name", "lab", "best_score", "max_score", "submissions"])
        for user in self.learners:
            for lab_id in self.lab_ids:
                best = self.best.get((user.id, lab_id))
                writer.writerow([inert(user.email), inert(user.display_name), lab_id,
                                 best.score if best else "", best.max_score if best else "",
                                 best.submissions if best else 0])
        return out.getvalue()


def gradebook(session: Session, lab_ids: list[str]) -> Gradebook:
    """Every learner (and anyone else who submitted) against `lab_ids`."""
    submitted = select(Submission.user_id).where(Submission.lab_id.in_(lab_ids))
    learners = list(session.scalars(
        select(User).where((User.role == LEARNER) | User.id.in_(submitted))
        .order_by(User.display_name, User.email)))
    best = {key: value for key, value in best_scores(session).items() if key[1] in lab_ids}
    return Gradebook(learners, lab_ids, best)


@dataclass(frozen=True)
class FailureRate:
    """How often a check failed on its own; `blocked` counts grades where it did not run
    because a check it needs failed (that failure is counted at its root, not here)."""

    check_id: str
    name: str
    failed: int
    blocked: int
    graded: int

    @property
    def percent(self) -> int:
        return round(100 * self.failed / self.graded) if self.graded else 0


def failure_rates(session: Session, lab_id: str) -> list[FailureRate]:
    """Per check of the lab: how many graded submissions failed it, most failed first."""
    current = and_(CheckRecord.submission_id == Submission.id,
                   CheckRecord.attempt == Submission.attempt)
    rows = session.execute(
        select(CheckRecord.check_id, func.max(CheckRecord.name),
               _count_of(Status.FAILED), _count_of(Status.BLOCKED), func.count())
        .join(Submission, current)
        .where(Submission.lab_id == lab_id, Submission.status == GRADED)
        .group_by(CheckRecord.check_id))
    rates = [FailureRate(check_id, name, int(failed or 0), int(blocked or 0), graded)
             for check_id, name, failed, blocked, graded in rows]
    return sorted(rates, key=lambda r: (-r.percent, r.check_id))


def _count_of(status: Status):  # type: ignore[no-untyped-def]
    return func.sum(case((CheckRecord.status == status.value, 1), else_=0))


def start_regrade(session: Session, lab_id: str, instructor: User) -> Regrade:
    """Queue every finished submission of the lab again, remembering its score before."""
    done = list(session.scalars(select(Submission).where(
        Submission.lab_id == lab_id, Submission.status.in_((GRADED, ERROR)))
        .order_by(Submission.id)))
    regrade = Regrade(lab_id=lab_id, created_by=instructor.id)
    regrade.items = [RegradeItem(submission_id=s.id, old_score=s.score, old_verdict=s.verdict)
                     for s in done]
    session.add(regrade)
    ids = [s.id for s in done]
    if ids:
        session.execute(update(Submission).where(Submission.id.in_(ids)).values(
            status=QUEUED, infra_retries=0, lease_expires_at=None))
    session.commit()
    queue = get_queue(current_app)
    for submission_id in ids:
        queue.enqueue(submission_id)
    return regrade
