"""The web app's tables: accounts and per-chapter progress (SQLAlchemy 2.0 typed models)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

LEARNER = "learner"
INSTRUCTOR = "instructor"
ROLES = (LEARNER, INSTRUCTOR)
PASS_RATIO = 0.8  # a quiz counts as passed at 80% correct


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=LEARNER)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    progress: Mapped[list[ChapterProgress]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash (werkzeug's default); the password itself is never kept."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_instructor(self) -> bool:
        return self.role == INSTRUCTOR


class ChapterProgress(Base):
    """What one learner did in one chapter: visits, best quiz score, completion."""

    __tablename__ = "chapter_progress"
    __table_args__ = (UniqueConstraint("user_id", "slug", name="uq_chapter_progress_user_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    first_visited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_visited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    quiz_best_correct: Mapped[int | None] = mapped_column(Integer)
    quiz_total: Mapped[int | None] = mapped_column(Integer)
    quiz_attempts: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(back_populates="progress")

    @property
    def completed(self) -> bool:
        return self.completed_at is not None

    @property
    def quiz_percent(self) -> int | None:
        if not self.quiz_total or self.quiz_best_correct is None:
            return None
        return round(100 * self.quiz_best_correct / self.quiz_total)
