"""Grades to the LMS: after a graded submission of a learner who came through an LMS link to
its lab, the lab's counted score (the class's rule when the LMS course maps to a class, else
the best) is recorded as a score post first, then sent. A post the
platform did not take stays pending with its error (the instructor sees it on /lti/scores)
and is tried again later by the janitor, with a growing wait; nothing is lost meanwhile."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TypeVar

from flask import Flask
from sqlalchemy import Select, and_, or_, select, update
from sqlalchemy.orm import Session, joinedload

from webapp.classes.visibility import class_work
from webapp.db import EXTENSION
from webapp.grading.gradebook import LAB, Cell, counted_cells
from webapp.lti.ags import AgsClient, PassbackError, Score
from webapp.lti.arrival import can_pass_back
from webapp.models import (
    GRADED,
    Cohort,
    Enrollment,
    LtiContext,
    LtiLearnerLink,
    LtiResourceLink,
    LtiScorePost,
    Submission,
    Teaching,
    User,
    utcnow,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
FIRST_RETRY = timedelta(seconds=30)
LAST_RETRY = timedelta(hours=1)
CLAIM_FOR = timedelta(minutes=2)  # a sender owns a post this long (two janitors never race)


def retry_wait(tries: int) -> timedelta:
    """30 s after the first failure, doubling up to an hour."""
    return min(FIRST_RETRY * 2 ** max(tries - 1, 0), LAST_RETRY)


def record(session: Session, submission: Submission) -> list[int]:
    """Record the learner's counted score of the submission's lab for every LMS link to that
    lab they came through; returns the ids of the score posts (due now)."""
    if submission.status != GRADED:
        return []
    links = session.scalars(
        select(LtiLearnerLink).join(LtiResourceLink)
        .where(LtiLearnerLink.user_id == submission.user_id,
               LtiResourceLink.lab_id == submission.lab_id)
        .options(joinedload(LtiLearnerLink.resource_link))).all()
    posts = []
    for link in (link for link in links if can_pass_back(link.resource_link)):
        score = counted_score(session, submission.user, submission.lab_id,
                              cohort_of(session, link.resource_link))
        if score is None:  # nothing the class's deadline accepts: the LMS keeps what it has
            continue
        post = session.scalar(select(LtiScorePost)
                              .where(LtiScorePost.learner_link_id == link.id))
        if post is None:
            post = LtiScorePost(learner_link_id=link.id)
            session.add(post)
        post.submission_id = submission.id
        post.score_given, post.score_maximum = score.score, score.max_score
        post.graded_at = submission.finished_at or utcnow()
        post.tries, post.last_error, post.sent_at = 0, None, None
        post.next_try_at = utcnow()
        posts.append(post)
    session.commit()
    return [post.id for post in posts]


def cohort_of(session: Session, link: LtiResourceLink) -> Cohort | None:
    """The class the link's LMS course maps to, if any."""
    if link.context_id is None:
        return None
    return session.scalar(select(Cohort).join(LtiContext, LtiContext.cohort_id == Cohort.id)
                          .where(LtiContext.platform_id == link.platform_id,
                                 LtiContext.context_id == link.context_id))


def counted_score(session: Session, user: User, lab_id: str, cohort: Cohort | None
                  ) -> Cell | None:
    """The learner's score of the lab that the LMS gets: the class gradebook's cell for them
    (the class's work under its deadline and rule, late penalty taken) when the course maps
    to a class, else their best graded score."""
    work = class_work(cohort) if cohort is not None else None
    return counted_cells(session, [user.id], [lab_id], cohort, work).get((user.id, LAB, lab_id))


def _claim(session: Session, post_id: int) -> LtiScorePost | None:
    """Take the post for sending if it is due and nobody else took it."""
    now = utcnow()
    taken = session.execute(
        update(LtiScorePost)
        .where(LtiScorePost.id == post_id, LtiScorePost.sent_at.is_(None),
               LtiScorePost.next_try_at <= now)
        .values(next_try_at=now + CLAIM_FOR))
    session.commit()
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(LtiScorePost, post_id)


def send(session: Session, post_id: int) -> bool:
    """Send one due score post; True when the platform took it. A failure is recorded on the
    post (error, tries, next try) and never raised."""
    post = _claim(session, post_id)
    if post is None:
        return False
    learner = post.learner_link
    link = learner.resource_link
    try:
        client = AgsClient(session, link.platform)
        lineitem = client.lineitem(link, link.title or link.lab_id or "archlab lab",
                                   post.score_maximum)
        client.post_score(lineitem, Score(learner.sub, post.score_given, post.score_maximum,
                                          post.graded_at))
    except PassbackError as exc:
        post.tries += 1
        post.last_error = str(exc)
        post.next_try_at = utcnow() + retry_wait(post.tries)
        session.commit()
        log.warning("score post %s to %s failed (try %s): %s", post.id, link.platform.name,
                    post.tries, exc)
        return False
    post.sent_at, post.last_error, post.next_try_at = utcnow(), None, None
    session.commit()
    return True


def due_ids(session: Session, limit: int = 50) -> list[int]:
    return list(session.scalars(
        select(LtiScorePost.id).where(LtiScorePost.sent_at.is_(None),
                                      LtiScorePost.next_try_at <= utcnow())
        .order_by(LtiScorePost.next_try_at).limit(limit)))


def _read_by(query: Select[T], reader: User) -> Select[T]:
    """The query's posts `reader` may read (webapp/classes/visibility.py's rule for grades
    that left): an admin every one; an instructor those through an LMS course that maps to
    a class they teach and, through a course mapped to no class, those of the learners of
    their classes. A post through another instructor's class's course is not theirs."""
    if reader.is_admin:
        return query
    taught = select(Teaching.cohort_id).where(Teaching.user_id == reader.id)
    learners = select(Enrollment.user_id).where(Enrollment.cohort_id.in_(taught))
    return (query.join(LtiLearnerLink, LtiScorePost.learner_link_id == LtiLearnerLink.id)
            .join(LtiResourceLink, LtiLearnerLink.resource_link_id == LtiResourceLink.id)
            .outerjoin(LtiContext, and_(LtiContext.platform_id == LtiResourceLink.platform_id,
                                        LtiContext.context_id == LtiResourceLink.context_id))
            .where(or_(LtiContext.cohort_id.in_(taught),
                       and_(LtiContext.cohort_id.is_(None),
                            LtiLearnerLink.user_id.in_(learners)))))


def make_due(session: Session, reader: User) -> list[int]:
    """Make every pending post `reader` may read due now (an instructor's "send now");
    returns their ids."""
    pending = list(session.scalars(_read_by(
        select(LtiScorePost.id).where(LtiScorePost.sent_at.is_(None)), reader)))
    session.execute(update(LtiScorePost).where(LtiScorePost.id.in_(pending))
                    .values(next_try_at=utcnow()))
    session.commit()
    return pending


def all_posts(session: Session, reader: User) -> list[LtiScorePost]:
    """Every score post `reader` may read, pending ones first, then newest first, with whom
    and where."""
    return list(session.scalars(
        _read_by(select(LtiScorePost), reader)
        .options(joinedload(LtiScorePost.learner_link).joinedload(LtiLearnerLink.user),
                 joinedload(LtiScorePost.learner_link).joinedload(LtiLearnerLink.resource_link)
                 .joinedload(LtiResourceLink.platform))
        .order_by(LtiScorePost.sent_at.is_not(None), LtiScorePost.graded_at.desc())))


def after_grade(app: Flask, submission_id: int) -> None:
    """The grading job's hook: record and send the submission's passbacks. Never raises: a
    grade is stored whatever the LMS does."""
    try:
        with app.extensions[EXTENSION]() as session:
            submission = session.get(Submission, submission_id)
            for post_id in record(session, submission) if submission else []:
                send(session, post_id)
    except Exception:
        log.exception("passback of submission %s failed; the janitor tries again",
                      submission_id)


def send_due(app: Flask) -> int:
    """Send every score post whose time came (the janitor's round); returns how many went."""
    with app.extensions[EXTENSION]() as session:
        return sum(send(session, post_id) for post_id in due_ids(session))
