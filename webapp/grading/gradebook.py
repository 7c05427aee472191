"""What instructors read from the grades: a gradebook (quizzes, labs and totals per learner,
under a class's deadline rules), per-check failure rates counted per learner, and regrades
(the lab's current grader re-run on past submissions)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import ColumnElement, and_, case, distinct, func, select, update
from sqlalchemy.orm import Session

from labs.results import Status
from webapp.classes.cohorts import deadlines, members
from webapp.classes.deadlines import Graded, Standing, counted
from webapp.grading.queues import get_queue
from webapp.models import (
    COUNTS_BEST,
    ERROR,
    GRADED,
    LEARNER,
    QUEUED,
    ChapterProgress,
    CheckRecord,
    Cohort,
    Regrade,
    RegradeItem,
    Submission,
    User,
)

QUIZ = "quiz"
LAB = "lab"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(cell: object) -> object:
    """A text cell a spreadsheet will not run as a formula (learners choose names and emails)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def points(value: float) -> str:
    """7.0 -> "7", 7.2 -> "7.2": scores as people write them."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Column:
    """A quiz (key: chapter slug) or a lab (key: lab id), named by its title."""

    kind: str
    key: str
    title: str
    max_score: int


@dataclass(frozen=True)
class Cell:
    """A learner's score in a column; for a lab, the submission that counts."""

    score: float
    max_score: int
    submission_id: int | None = None
    late: bool = False


@dataclass(frozen=True)
class Total:
    score: float
    max_score: int

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.max_score) if self.max_score else 0


@dataclass(frozen=True)
class Gradebook:
    learners: list[User]
    columns: list[Column]
    cells: dict[tuple[int, str, str], Cell]  # (learner id, column kind, column key)

    def cell(self, user: User, column: Column) -> Cell | None:
        return self.cells.get((user.id, column.kind, column.key))

    def total(self, user: User) -> Total:
        """Points over every column; a quiz not taken or a lab not counted scores 0."""
        found = [self.cell(user, column) for column in self.columns]
        return Total(sum(cell.score for cell in found if cell is not None),
                     sum(column.max_score for column in self.columns))

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["email", "name", *(f"{c.title} ({c.kind})" for c in self.columns),
                         "total", "total_max", "total_percent"])
        for user in self.learners:
            cells = [self.cell(user, column) for column in self.columns]
            total = self.total(user)
            writer.writerow([inert(user.email), inert(user.display_name),
                             *(points(cell.score) if cell else "" for cell in cells),
                             points(total.score), total.max_score, total.percent])
        return out.getvalue()


def gradebook(session: Session, columns: list[Column], cohort: Cohort | None = None,
              only: Collection[int] | None = None,
              work: ColumnElement[bool] | None = None) -> Gradebook:
    """The learners of `cohort` (without one: every learner, and anyone who submitted; only
    those of `only` when given) with their quiz scores and, per lab, the submission that
    counts under the class's deadlines and rule (without a class: the best score, whenever
    it came), among the submissions `work` (a condition on Submission) admits."""
    lab_ids = [c.key for c in columns if c.kind == LAB]
    if cohort is not None:
        learners = members(session, cohort)
    else:
        submitted = select(Submission.user_id).where(Submission.lab_id.in_(lab_ids))
        query = select(User).where((User.role == LEARNER) | User.id.in_(submitted))
        if only is not None:
            query = query.where(User.id.in_(only))
        learners = list(session.scalars(query.order_by(User.display_name, User.email)))
    ids = [user.id for user in learners]
    cells = _quiz_cells(session, ids, [c.key for c in columns if c.kind == QUIZ])
    cells.update(counted_cells(session, ids, lab_ids, cohort, work))
    return Gradebook(learners, columns, cells)


def _quiz_cells(session: Session, user_ids: list[int], slugs: list[str]
                ) -> dict[tuple[int, str, str], Cell]:
    rows = session.scalars(select(ChapterProgress).where(
        ChapterProgress.user_id.in_(user_ids), ChapterProgress.slug.in_(slugs),
        ChapterProgress.quiz_best_correct.is_not(None)))
    return {(row.user_id, QUIZ, row.slug): Cell(float(row.quiz_best_correct or 0),
                                                row.quiz_total or 0) for row in rows}


def counted_cells(session: Session, user_ids: Collection[int], lab_ids: Collection[str],
                  cohort: Cohort | None, work: ColumnElement[bool] | None
                  ) -> dict[tuple[int, str, str], Cell]:
    """(learner id, LAB, lab id) -> the gradebook cell: per learner (members of `cohort`)
    and lab, the submission that counts under the class's deadlines and rule (without a
    class: the best score, whenever it came) among those `work` admits; no entry when none
    counts. One query for every learner and lab. The class gradebook and the learner's own
    pages (webapp/grading/counting.py) both read their lab scores from here."""
    graded: dict[tuple[int, str], list[Graded]] = defaultdict(list)
    query = (select(Submission.id, Submission.user_id, Submission.lab_id, Submission.created_at,
                    Submission.score, Submission.max_score)
             .where(Submission.status == GRADED, Submission.user_id.in_(user_ids),
                    Submission.lab_id.in_(lab_ids)))
    for sid, user_id, lab_id, created_at, score, max_score in session.execute(
            query if work is None else query.where(work)):
        graded[(user_id, lab_id)].append(Graded(sid, created_at, score or 0, max_score or 0))
    rules = deadlines(cohort, user_ids) if cohort is not None else {}
    rule = cohort.counts if cohort is not None else COUNTS_BEST
    cells = {}
    for (user_id, lab_id), found in graded.items():
        chosen = counted(found, rules.get((user_id, lab_id)), rule)
        if chosen is not None:
            cells[(user_id, LAB, lab_id)] = Cell(chosen.score, chosen.max_score,
                                                 chosen.submission_id,
                                                 chosen.standing is Standing.LATE)
    return cells


@dataclass(frozen=True)
class FailureRate:
    """How many learners failed a check on its own (once each, however often they failed
    it); `blocked` counts learners for whom it did not run because a check it needs failed
    (that failure is counted at its root, not here)."""

    check_id: str
    name: str
    failed: int
    blocked: int
    learners: int

    @property
    def percent(self) -> int:
        return round(100 * self.failed / self.learners) if self.learners else 0


def failure_rates(session: Session, lab_id: str, work: ColumnElement[bool] | None = None
                  ) -> list[FailureRate]:
    """Per check of the lab: how many of the learners with a graded submission (among the
    submissions `work` admits, when given) ever failed it, most failed first."""
    current = and_(CheckRecord.submission_id == Submission.id,
                   CheckRecord.attempt == Submission.attempt)
    query = (select(CheckRecord.check_id, func.max(CheckRecord.name),
                    _learners_with(Status.FAILED), _learners_with(Status.BLOCKED),
                    func.count(distinct(Submission.user_id)))
             .join(Submission, current)
             .where(Submission.lab_id == lab_id, Submission.status == GRADED)
             .group_by(CheckRecord.check_id))
    if work is not None:
        query = query.where(work)
    rates = [FailureRate(check_id, name, int(failed or 0), int(blocked or 0), learners)
             for check_id, name, failed, blocked, learners in session.execute(query)]
    return sorted(rates, key=lambda r: (-r.percent, r.check_id))


def _learners_with(status: Status):  # type: ignore[no-untyped-def]
    return func.count(distinct(case((CheckRecord.status == status.value, Submission.user_id))))


def start_regrade(session: Session, lab_id: str, instructor: User,
                  work: ColumnElement[bool] | None = None,
                  submission_ids: Collection[int] | None = None) -> Regrade:
    """Queue the lab's finished submissions again (only those `work` admits, or only
    `submission_ids`, when given), remembering each one's score before."""
    query = select(Submission).where(Submission.lab_id == lab_id,
                                     Submission.status.in_((GRADED, ERROR)))
    if work is not None:
        query = query.where(work)
    if submission_ids is not None:
        query = query.where(Submission.id.in_(submission_ids))
    done = list(session.scalars(query.order_by(Submission.id)))
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
