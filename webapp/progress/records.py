"""Recording and summarising a learner's progress through the chapters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from course import Chapter, QuizScore
from webapp.models import PASS_RATIO, ChapterProgress, User, utcnow


def progress_by_slug(session: Session, user: User | None) -> dict[str, ChapterProgress]:
    if user is None:
        return {}
    rows = session.scalars(select(ChapterProgress).where(ChapterProgress.user_id == user.id))
    return {row.slug: row for row in rows}


def _row(session: Session, user: User, slug: str) -> ChapterProgress:
    """The user's row for `slug`, created on first use (a concurrent insert is tolerated)."""
    query = select(ChapterProgress).where(
        ChapterProgress.user_id == user.id, ChapterProgress.slug == slug
    )
    row = session.scalar(query)
    if row is not None:
        return row
    row = ChapterProgress(user_id=user.id, slug=slug, quiz_attempts=0)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # another request created it first
        session.rollback()
        row = session.scalars(query).one()
    return row


def record_visit(session: Session, user: User, chapter: Chapter) -> None:
    """A visit; a chapter without a quiz is complete once read."""
    row = _row(session, user, chapter.slug)
    row.last_visited_at = utcnow()
    if chapter.quiz is None and row.completed_at is None:
        row.completed_at = row.last_visited_at
    session.commit()


def record_quiz(
    session: Session, user: User, chapter: Chapter, score: QuizScore
) -> ChapterProgress:
    """An attempt: keeps the best score; passing (>= 80%) completes the chapter."""
    row = _row(session, user, chapter.slug)
    row.quiz_attempts += 1
    if row.quiz_best_correct is None or score.correct >= row.quiz_best_correct:
        row.quiz_best_correct, row.quiz_total = score.correct, score.total
    if row.completed_at is None and score.total and score.correct >= PASS_RATIO * score.total:
        row.completed_at = utcnow()
    session.commit()
    return row


@dataclass(frozen=True)
class ChapterStatus:
    chapter: Chapter
    record: ChapterProgress | None

    @property
    def state(self) -> str:
        if self.record is None:
            return "not started"
        return "complete" if self.record.completed else "in progress"


@dataclass(frozen=True)
class Overview:
    chapters: list[ChapterStatus]

    @property
    def completed(self) -> int:
        return sum(1 for c in self.chapters if c.state == "complete")

    @property
    def percent(self) -> int:
        return round(100 * self.completed / len(self.chapters)) if self.chapters else 0


def overview(session: Session, user: User | None, chapters: Iterable[Chapter]) -> Overview:
    records = progress_by_slug(session, user)
    return Overview([ChapterStatus(c, records.get(c.slug)) for c in chapters])
