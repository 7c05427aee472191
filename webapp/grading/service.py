"""Submitting files for grading, and reading submissions back: what the pages and other areas call.

    from webapp.grading.service import submit
    submission = submit(session, user, "rest-api", {"app.py": b"..."})

The row (files, lab, learner, status `queued`) is committed before the id is enqueued, so a
crash between the two loses nothing: the row is still queued and the next worker claims it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labs.catalog import UnknownLab, get_lab, lab_dirs
from labs.spec import Lab, LabSpecError, load_lab
from webapp.classes.closing import refuse_if_closed
from webapp.classes.visibility import seen_by, sees
from webapp.grading.archive import pack
from webapp.grading.queues import QueueUnavailable, get_queue
from webapp.grading.settings import labs_root, setting
from webapp.models import GRADED, IN_FLIGHT, CheckRecord, RegradeItem, Submission, User

log = logging.getLogger(__name__)


class TooManyInFlight(RuntimeError):
    """The learner already has the maximum number of submissions queued or running."""


def check_lab(lab_id: str) -> None:
    """UnknownLab unless the lab exists and loads (a broken lab must not take submissions)."""
    try:
        get_lab(lab_id, labs_root(current_app))
    except LabSpecError as exc:
        raise UnknownLab(str(exc)) from exc


def submit(session: Session, user: User, lab_id: str, files: dict[str, bytes]) -> Submission:
    """Store the learner's files as a queued submission, then enqueue it.

    Raises UnknownLab, GradingClosed (every class of the learner that dates the lab is past
    its deadline for them: nothing is stored), BadFiles (bad paths, too many or too large
    files) or TooManyInFlight.
    """
    check_lab(lab_id)
    refuse_if_closed(session, user, lab_id)
    blob = pack(files)
    limit = int(setting(current_app, "GRADING_IN_FLIGHT_LIMIT"))
    regraded = select(RegradeItem.submission_id)  # an instructor's regrade is not a flood
    in_flight = session.scalar(select(func.count()).select_from(Submission).where(
        Submission.user_id == user.id, Submission.status.in_(IN_FLIGHT),
        Submission.id.not_in(regraded))) or 0
    if in_flight >= limit:
        raise TooManyInFlight(
            f"You already have {in_flight} submissions waiting to be graded (the limit is "
            f"{limit}). Wait for one to finish, then submit again.")
    submission = Submission(user_id=user.id, lab_id=lab_id, files=blob, attempt=0,
                            infra_retries=0)
    session.add(submission)
    session.commit()
    try:
        get_queue(current_app).enqueue(submission.id)
    except QueueUnavailable:  # stored and queued: a janitor enqueues it once the queue is back
        log.warning("submission %s stored while the queue is down", submission.id)
    return submission


def visible_submission(session: Session, user: User, submission_id: int) -> Submission | None:
    """The submission if `user` may see it: its learner, an instructor of a class whose work
    it is (webapp/classes/visibility.py), or an admin."""
    submission = session.get(Submission, submission_id)
    if submission is None or not (submission.user_id == user.id
                                  or sees(session, user, submission)):
        return None
    return submission


def current_checks(session: Session, submission: Submission,
                   after: int = -1) -> list[CheckRecord]:
    """The current attempt's check results in order (only those past position `after`)."""
    return list(session.scalars(
        select(CheckRecord)
        .where(CheckRecord.submission_id == submission.id,
               CheckRecord.attempt == submission.attempt, CheckRecord.position > after)
        .order_by(CheckRecord.position)))


def details_of(submission: Submission) -> dict[str, Any]:
    return json.loads(submission.details) if submission.details else {}


def latest(session: Session, user: User, lab_id: str) -> Submission | None:
    """The learner's newest submission for the lab, if any."""
    return session.scalar(
        select(Submission).where(Submission.user_id == user.id, Submission.lab_id == lab_id)
        .order_by(Submission.id.desc()).limit(1))


def previous(session: Session, submission: Submission, reader: User) -> Submission | None:
    """The same learner's submission for the same lab just before this one that `reader`
    may see (the learner: any of theirs; an instructor: their classes' work), if any."""
    query = select(Submission).where(Submission.user_id == submission.user_id,
                                     Submission.lab_id == submission.lab_id,
                                     Submission.id < submission.id)
    if reader.id != submission.user_id:
        query = query.where(seen_by(reader))
    return session.scalar(query.order_by(Submission.id.desc()).limit(1))


def history(session: Session, user: User, lab_id: str) -> list[Submission]:
    return list(session.scalars(
        select(Submission).where(Submission.user_id == user.id, Submission.lab_id == lab_id)
        .order_by(Submission.id.desc())))


@dataclass(frozen=True)
class Best:
    score: int
    max_score: int
    submissions: int

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.max_score) if self.max_score else 0


def best_scores(session: Session, user_id: int | None = None, lab_id: str | None = None
                ) -> dict[tuple[int, str], Best]:
    """(learner id, lab id) -> best graded score, whenever it came and whichever class it
    was for (what counts in a class: webapp/grading/counting.py); infrastructure errors
    never count. Of one learner and one lab when given."""
    query = (select(Submission.user_id, Submission.lab_id, func.max(Submission.score),
                    func.max(Submission.max_score), func.count())
             .where(Submission.status == GRADED)
             .group_by(Submission.user_id, Submission.lab_id))
    if user_id is not None:
        query = query.where(Submission.user_id == user_id)
    if lab_id is not None:
        query = query.where(Submission.lab_id == lab_id)
    return {(uid, lab): Best(score, max_score, count)
            for uid, lab, score, max_score, count in session.execute(query)}


@dataclass(frozen=True)
class LabScore:
    lab_id: str
    title: str
    best: Best | None


def lab_scores(session: Session, user: User) -> list[LabScore]:
    """Every lab with the learner's best graded score (None before a first grade)."""
    best = best_scores(session, user.id)
    return [LabScore(lab.id, lab.title, best.get((user.id, lab.id))) for lab in loadable_labs()]


def loadable_labs() -> list[Lab]:
    """The labs whose spec loads (a broken lab.toml hides one lab, not the pages)."""
    labs = []
    for folder in lab_dirs(labs_root(current_app)):
        try:
            labs.append(load_lab(folder))
        except LabSpecError:
            continue
    return labs


def lab_titles() -> dict[str, str]:
    """Lab id -> title, for every loadable lab (pages name labs by title, never by id)."""
    return {lab.id: lab.title for lab in loadable_labs()}
