"""Classes and their members: creating a class, joining it by code, and the due dates that
apply to a learner (the class's, or the learner's own extension)."""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from webapp.classes.deadlines import Deadline, Standing, zone
from webapp.models import (
    COUNTS,
    Cohort,
    DueDate,
    Enrollment,
    Extension,
    Teaching,
    User,
    utcnow,
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CODE_LENGTH = 8


class ClassError(ValueError):
    """What was asked of a class cannot be done; the message says why, for the page."""


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def create_cohort(session: Session, name: str, timezone: str, counts: str,
                  creator: User) -> Cohort:
    """A new class with a fresh join code (drawn again on the rare collision), taught by
    its creator."""
    zone(timezone)  # ValueError naming an unknown zone
    if counts not in COUNTS:
        raise ClassError(f"a class counts one of {', '.join(COUNTS)}, not {counts!r}")
    for _ in range(5):
        cohort = Cohort(name=name.strip(), timezone=timezone, counts=counts,
                        join_code=new_join_code(), created_by=creator.id)
        cohort.teachings.append(Teaching(user_id=creator.id))
        session.add(cohort)
        try:
            session.commit()
            return cohort
        except IntegrityError:
            session.rollback()
    raise ClassError("could not draw an unused join code; try again")


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper()


def join(session: Session, user: User, code: str) -> Cohort:
    """Enrol `user` in the class whose join code is `code` (joining twice is harmless)."""
    cohort = session.scalar(select(Cohort).where(Cohort.join_code == normalise_code(code)))
    if cohort is None:
        raise ClassError("No class has this join code. Check it with your instructor.")
    enrol(session, cohort, user)
    session.commit()
    return cohort


def enrol(session: Session, cohort: Cohort, user: User) -> bool:
    """Add `user` to the class unless already in it (no commit); True when added."""
    if is_member(session, cohort, user):
        return False
    session.add(Enrollment(cohort_id=cohort.id, user_id=user.id))
    return True


def is_member(session: Session, cohort: Cohort, user: User) -> bool:
    return session.scalar(select(Enrollment.id).where(
        Enrollment.cohort_id == cohort.id, Enrollment.user_id == user.id)) is not None


def members(session: Session, cohort: Cohort) -> list[User]:
    return list(session.scalars(
        select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.cohort_id == cohort.id).order_by(User.display_name, User.email)))


def cohorts_of(session: Session, user: User) -> list[Cohort]:
    """The learner's classes by name, their due dates and extensions loaded with them (three
    queries however many classes: the learner's pages read both)."""
    return list(session.scalars(
        select(Cohort).join(Enrollment, Enrollment.cohort_id == Cohort.id)
        .where(Enrollment.user_id == user.id).order_by(Cohort.name)
        .options(selectinload(Cohort.due_dates), selectinload(Cohort.extensions))))


def set_due_date(session: Session, cohort: Cohort, lab_id: str, due_at: datetime,
                 late_until: datetime | None, penalty_percent: int) -> DueDate:
    """Set (or replace) when `lab_id` is due in the class; ValueError for a rule that makes
    no sense (late work ending before the due date, a penalty outside 0..100)."""
    Deadline(due_at, late_until, penalty_percent)
    due = session.scalar(select(DueDate).where(DueDate.cohort_id == cohort.id,
                                               DueDate.lab_id == lab_id))
    if due is None:
        due = DueDate(cohort_id=cohort.id, lab_id=lab_id)
        session.add(due)
    due.due_at, due.late_until, due.late_penalty_percent = due_at, late_until, penalty_percent
    session.commit()
    return due


def grant_extension(session: Session, cohort: Cohort, lab_id: str, user: User,
                    due_at: datetime) -> Extension:
    """Give one learner of the class their own due date for a lab that has one."""
    if not is_member(session, cohort, user):
        raise ClassError(f"{user.email} is not in {cohort.name}")
    if _due_date(session, cohort.id, lab_id) is None:
        raise ClassError("set the lab's due date for the class before an extension")
    extension = session.scalar(select(Extension).where(
        Extension.cohort_id == cohort.id, Extension.lab_id == lab_id,
        Extension.user_id == user.id))
    if extension is None:
        extension = Extension(cohort_id=cohort.id, lab_id=lab_id, user_id=user.id)
        session.add(extension)
    extension.due_at = due_at
    session.commit()
    return extension


def _due_date(session: Session, cohort_id: int, lab_id: str) -> DueDate | None:
    return session.scalar(select(DueDate).where(DueDate.cohort_id == cohort_id,
                                                DueDate.lab_id == lab_id))


def deadline_of(due: DueDate, extension: Extension | None) -> Deadline:
    deadline = Deadline(due.due_at, due.late_until, due.late_penalty_percent)
    return deadline if extension is None else deadline.extended_to(extension.due_at)


@dataclass(frozen=True)
class LabDue:
    """One lab's deadline for one learner in one class, as the learner's pages show it."""

    cohort: Cohort
    lab_id: str
    deadline: Deadline
    extended: bool

    @property
    def standing_now(self) -> Standing:
        """What a submission made now would be: on time, late or too late to count."""
        return self.deadline.standing(utcnow())


def deadlines(cohort: Cohort, user_ids: Collection[int]) -> dict[tuple[int, str], Deadline]:
    """(learner id, lab id) -> that learner's deadline, for the learners `user_ids` (members
    of the class) and every lab it dates."""
    extensions = {(e.user_id, e.lab_id): e for e in cohort.extensions}
    return {(user_id, due.lab_id): deadline_of(due, extensions.get((user_id, due.lab_id)))
            for user_id in user_ids for due in cohort.due_dates}


def due_for(session: Session, user: User, lab_id: str | None = None,
            cohorts: Sequence[Cohort] | None = None) -> list[LabDue]:
    """The learner's deadlines in every class they are in (of one lab, or of all), soonest
    first; `cohorts`: their classes (cohorts_of) when the caller has read them already."""
    found = []
    for cohort in cohorts_of(session, user) if cohorts is None else cohorts:
        extensions = {e.lab_id: e for e in cohort.extensions if e.user_id == user.id}
        for due in cohort.due_dates:
            if lab_id is None or due.lab_id == lab_id:
                extension = extensions.get(due.lab_id)
                found.append(LabDue(cohort, due.lab_id, deadline_of(due, extension),
                                    extension is not None))
    return sorted(found, key=lambda d: d.deadline.due_at)
