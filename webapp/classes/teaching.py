"""Who teaches which class. An instructor sees and administers only the classes they teach
(the ones they created, or were added to by email) and the work of those classes' learners;
an admin (`archlab users promote EMAIL --admin`) teaches every class and sees every learner,
including learners in no class. The views ask here and answer 403 otherwise."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.auth.accounts import find_by_email
from webapp.classes.cohorts import ClassError
from webapp.models import Cohort, Enrollment, Teaching, User


def teaches(session: Session, user: User, cohort: Cohort) -> bool:
    if user.is_admin:
        return True
    return user.is_instructor and session.scalar(select(Teaching.id).where(
        Teaching.cohort_id == cohort.id, Teaching.user_id == user.id)) is not None


def taught_cohorts(session: Session, user: User) -> list[Cohort]:
    """The classes `user` teaches (every class for an admin), by name."""
    query = select(Cohort).order_by(Cohort.name, Cohort.id)
    if not user.is_admin:
        query = query.join(Teaching, Teaching.cohort_id == Cohort.id).where(
            Teaching.user_id == user.id)
    return list(session.scalars(query))


def taught_learners(session: Session, user: User) -> set[int] | None:
    """The ids of the learners in classes `user` teaches; None (every learner) for an admin."""
    if user.is_admin:
        return None
    return set(session.scalars(
        select(Enrollment.user_id).join(Teaching, Teaching.cohort_id == Enrollment.cohort_id)
        .where(Teaching.user_id == user.id)))


def teaches_learner(session: Session, user: User, learner_id: int) -> bool:
    """`user` may see this learner's work: an admin, or an instructor of one of their classes."""
    if user.is_admin:
        return True
    return user.is_instructor and session.scalar(
        select(Enrollment.id).join(Teaching, Teaching.cohort_id == Enrollment.cohort_id)
        .where(Teaching.user_id == user.id, Enrollment.user_id == learner_id).limit(1)
    ) is not None


def taught_elsewhere(session: Session, user: User, learner_id: int) -> bool:
    """The learner is in some class, none of which `user` teaches: enrolling them would show
    `user` work that is other instructors' to see, so the learner joins by code instead."""
    in_a_class = session.scalar(select(Enrollment.id).where(
        Enrollment.user_id == learner_id).limit(1)) is not None
    return in_a_class and not teaches_learner(session, user, learner_id)


def instructors(session: Session, cohort: Cohort) -> list[User]:
    return list(session.scalars(
        select(User).join(Teaching, Teaching.user_id == User.id)
        .where(Teaching.cohort_id == cohort.id).order_by(Teaching.id)))


def add_teacher(session: Session, cohort: Cohort, user: User) -> bool:
    """Make `user` an instructor of the class (no commit); True when added."""
    if session.scalar(select(Teaching.id).where(Teaching.cohort_id == cohort.id,
                                                Teaching.user_id == user.id)) is not None:
        return False
    session.add(Teaching(cohort_id=cohort.id, user_id=user.id))
    return True


def add_instructor(session: Session, cohort: Cohort, email: str) -> User:
    """Add the instructor account `email` as a co-instructor of the class; ClassError saying
    why not (no such account, or a learner's account)."""
    user = find_by_email(session, email)
    if user is None:
        raise ClassError(f"No account has the email {email.strip().lower()}: the co-instructor "
                         "needs an instructor account first (`archlab users create EMAIL "
                         "--instructor`).")
    if not user.is_instructor:
        raise ClassError(f"{user.email} is a learner's account: an admin gives it the "
                         "instructor role first (`archlab users promote EMAIL`).")
    if not add_teacher(session, cohort, user):
        raise ClassError(f"{user.email} teaches {cohort.name} already.")
    session.commit()
    return user
