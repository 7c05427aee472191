"""Which of a learner's submissions are a class's work, and so which an instructor sees.

Submissions are not filed under a class when they are made, so as PrairieLearn and Gradescope
scope work to the course it was done in, archlab decides afterwards. A submission of lab L is
work of class C when

- the learner was in C when they made it (enrolled at or before its time), and
- C assigns L: C dates L, or none of the learner's classes dates L (an undated lab is every
  class's). A lab another class of the learner dates and C does not is that class's work.

An instructor sees (code, results, failure rates, regrades, gradebook cells) the work of the
classes they teach, and nothing else of their learners: not what a learner did before
joining, nor what they did for another instructor's class. An admin sees every submission.
A class's gradebook and the grades its LMS gets count only the class's work, whoever reads.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session, aliased

from webapp.models import Cohort, DueDate, Enrollment, Submission, Teaching, User


def _work_of(enrollment_cohort: ColumnElement[bool]) -> ColumnElement[bool]:
    """Submission is the work of a class of the learner that `enrollment_cohort` (a condition
    on Enrollment.cohort_id) picks."""
    elsewhere, other_due = aliased(Enrollment), aliased(DueDate)
    dated_here = select(DueDate.id).where(
        DueDate.cohort_id == Enrollment.cohort_id, DueDate.lab_id == Submission.lab_id,
    ).correlate_except(DueDate).exists()
    dated_anywhere = select(other_due.id).where(
        other_due.lab_id == Submission.lab_id, other_due.cohort_id == elsewhere.cohort_id,
        elsewhere.user_id == Submission.user_id,
    ).correlate_except(other_due, elsewhere).exists()
    return select(Enrollment.id).where(
        Enrollment.user_id == Submission.user_id, enrollment_cohort,
        Enrollment.joined_at <= Submission.created_at,
        or_(dated_here, ~dated_anywhere),
    ).correlate_except(Enrollment).exists()


def assigning(cohorts: Sequence[Cohort], lab_id: str) -> list[Cohort]:
    """Of a learner's classes (`cohorts`: all of them, with their due dates), those whose
    work `lab_id` is, by the rule `class_work` applies to each submission: the classes that
    date it, or every one of them when none does."""
    dating = [c for c in cohorts if any(due.lab_id == lab_id for due in c.due_dates)]
    return dating or list(cohorts)


def class_work(cohort: Cohort | int) -> ColumnElement[bool]:
    """A condition on Submission: it is work of `cohort` (a class or its id)."""
    cohort_id = cohort if isinstance(cohort, int) else cohort.id
    return _work_of(Enrollment.cohort_id == cohort_id)


def seen_by(user: User) -> ColumnElement[bool]:
    """A condition on Submission: `user` may see it as its instructor (an admin: any; an
    instructor: the work of a class they teach; anyone else: none). A learner's own
    submissions are theirs besides (visible_submission)."""
    if user.is_admin:
        return true()
    if not user.is_instructor:
        return Submission.id.is_(None)  # no submission has no id
    taught = select(Teaching.cohort_id).where(Teaching.user_id == user.id)
    return _work_of(Enrollment.cohort_id.in_(taught))


def sees(session: Session, user: User, submission: Submission) -> bool:
    """`user` may see this submission as an instructor (seen_by)."""
    if user.is_admin:
        return True
    return session.scalar(select(Submission.id).where(
        Submission.id == submission.id, seen_by(user))) is not None
