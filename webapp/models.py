"""The web app's tables: accounts, per-chapter progress, lab submissions and their grading,
classes with their due dates (SQLAlchemy 2.0 typed models)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

LEARNER = "learner"
INSTRUCTOR = "instructor"  # teaches the classes they create or are added to
ADMIN = "admin"  # an instructor of every class, and of learners in none
ROLES = (LEARNER, INSTRUCTOR, ADMIN)
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
        """May open the instructor pages (which classes: webapp/classes/teaching.py)."""
        return self.role in (INSTRUCTOR, ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


class Login(Base):
    """One logged-in browser. The session cookie carries the token, the table only its hash:
    logout ends the row, so a copied cookie dies with it (a signed cookie alone cannot be
    revoked), and a leaked table gives no usable token. `last_seen_at` lets an idle login
    lapse on its own (LOGIN_IDLE_DAYS)."""

    __tablename__ = "logins"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PasswordReset(Base):
    """A single-use, expiring password-reset link. The link carries the token, the table only
    its hash, so a leaked table resets nothing; `used_at` makes the link work once."""

    __tablename__ = "password_resets"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


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


# Submission statuses: queued -> running -> graded | error (infrastructure failures, retried
# a few times first, never counted against the learner).
QUEUED = "queued"
RUNNING = "running"
GRADED = "graded"
ERROR = "error"
IN_FLIGHT = (QUEUED, RUNNING)
IN_FLIGHT_SQL = "status IN ('queued', 'running')"  # IN_FLIGHT in a partial index's WHERE


class Submission(Base):
    """A learner's files for one lab and the outcome of their current grading attempt.

    The files are a gzip'd tar in the row itself: one durable unit, backed up with the
    database, and readable by workers on any host without a shared filesystem.
    `attempt` fences writes: a worker may only write while the row still carries its attempt.
    """

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lab_id: Mapped[str] = mapped_column(String(100), index=True)
    files: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20), default=QUEUED, index=True)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    infra_retries: Mapped[int] = mapped_column(Integer, default=0)
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    check_count: Mapped[int | None] = mapped_column(Integer)
    verdict: Mapped[str | None] = mapped_column(String(30))
    score: Mapped[int | None] = mapped_column(Integer)
    max_score: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[str | None] = mapped_column(Text)  # JSON: log tail, metrics, charts
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()

    @property
    def in_flight(self) -> bool:
        return self.status in IN_FLIGHT


class CheckRecord(Base):
    """One check's result in one attempt; only rows of the submission's current attempt count."""

    __tablename__ = "check_records"
    __table_args__ = (
        UniqueConstraint("submission_id", "attempt", "check_id", name="uq_check_records_attempt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    check_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    points: Mapped[int] = mapped_column(Integer)
    max_points: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str | None] = mapped_column(Text)
    hint: Mapped[str] = mapped_column(Text, default="")
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    blocked_by: Mapped[str | None] = mapped_column(String(200))  # root check of a blocked one
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Regrade(Base):
    """An instructor's re-run of a lab's current grader over its past submissions."""

    __tablename__ = "regrades"

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    items: Mapped[list[RegradeItem]] = relationship(
        back_populates="regrade", cascade="all, delete-orphan", order_by="RegradeItem.id"
    )


class RegradeItem(Base):
    """One submission in a regrade, with the score it had before."""

    __tablename__ = "regrade_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    regrade_id: Mapped[int] = mapped_column(
        ForeignKey("regrades.id", ondelete="CASCADE"), index=True
    )
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    old_score: Mapped[int | None] = mapped_column(Integer)
    old_verdict: Mapped[str | None] = mapped_column(String(30))

    regrade: Mapped[Regrade] = relationship(back_populates="items")
    submission: Mapped[Submission] = relationship()

    @property
    def pending(self) -> bool:
        return self.submission.in_flight

    @property
    def changed(self) -> bool:
        """The regraded outcome differs from the one before (compared once it is known)."""
        now = (self.submission.score, self.submission.verdict)
        return not self.pending and now != (self.old_score, self.old_verdict)


PREVIEW_DONE = "done"  # a lab preview that ran to its end (its rows say how it went)


class LabPreview(Base):
    """An instructor's preview of a lab: `labs verify` run by grading workers as a job of its
    own kind, one planned row per claim (webapp/grading/previews.py). Each claim is leased and
    fenced by `attempt` exactly as a submission's is; between rows the preview is queued
    again (statuses queued -> running -> queued -> ... -> done | error), so a worker that dies
    hands on only the row it was grading."""

    __tablename__ = "lab_previews"
    __table_args__ = (  # one preview of a lab queued or running at a time, even in a race
        Index("uq_lab_previews_in_flight", "lab_id", unique=True,
              sqlite_where=text(IN_FLIGHT_SQL), postgresql_where=text(IN_FLIGHT_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[str] = mapped_column(String(100), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default=QUEUED, index=True)
    attempt: Mapped[int] = mapped_column(Integer, default=0)  # claims so far (one per row)
    tries: Mapped[int] = mapped_column(Integer, default=0)  # claims of the row now due
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # its turn
    planned: Mapped[str] = mapped_column(Text)  # JSON: [[subject, expected], ...] in order
    seed: Mapped[int | None] = mapped_column(Integer)  # every row's grade: same requests
    not_gradable: Mapped[str | None] = mapped_column(String(300))  # what the sandbox lacks
    findings: Mapped[str | None] = mapped_column(Text)  # JSON list: what the author should change
    error: Mapped[str | None] = mapped_column(Text)  # why it could not run or was given up
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def in_flight(self) -> bool:
        return self.status in IN_FLIGHT


class LabPreviewRow(Base):
    """One graded subject of a preview, stored by the attempt that graded it (`attempt`);
    `position` is its place in the plan."""

    __tablename__ = "lab_preview_rows"
    __table_args__ = (
        UniqueConstraint("preview_id", "attempt", "position", name="uq_lab_preview_rows"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    preview_id: Mapped[int] = mapped_column(
        ForeignKey("lab_previews.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(300))
    expected: Mapped[str] = mapped_column(String(300))
    outcome: Mapped[str] = mapped_column(Text)
    ok: Mapped[bool] = mapped_column(Boolean)
    failed_checks: Mapped[str] = mapped_column(Text)  # JSON list of check ids
    graded: Mapped[bool] = mapped_column(Boolean)  # a grade ran (False: the alternatives count)
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    checks: Mapped[str | None] = mapped_column(Text)  # JSON: each check's outcome and answers
    cause: Mapped[str | None] = mapped_column(Text)  # why the grade stopped early, if it did


class Draft(Base):
    """A learner's work in progress on one lab: the workspace's files, saved as they type.

    Stored like a submission's files (one gzip'd tar) so a Grade can hand them over as is.
    """

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("user_id", "lab_id", name="uq_drafts_user_lab"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lab_id: Mapped[str] = mapped_column(String(100))
    files: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RunSession(Base):
    """One Run of a learner's draft in a sandbox: when it started, when and why it ended.

    The live session itself lives in the web process; this row is its record, so an operator
    can see who ran what and a restarted server can close rows its predecessor left open.
    """

    __tablename__ = "run_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lab_id: Mapped[str] = mapped_column(String(100))
    backend: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(String(200))


# Which of a learner's submissions of a lab counts in a class: the best score, or the last one
# (both among the submissions the class's deadline accepts).
COUNTS_BEST = "best"
COUNTS_LAST = "last"
COUNTS = (COUNTS_BEST, COUNTS_LAST)


class Cohort(Base):
    """A class: a group of learners taught together, joined by `join_code` or a CSV roster.

    Named Cohort because `class` is Python's. Times are stored in UTC; `timezone` (an IANA
    name such as "Europe/Paris") is only how the class's pages show and read them. `counts`
    says which submission counts towards a grade in this class (COUNTS).
    """

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    counts: Mapped[str] = mapped_column(String(10), default=COUNTS_BEST)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    enrollments: Mapped[list[Enrollment]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan")
    due_dates: Mapped[list[DueDate]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", order_by="DueDate.due_at")
    extensions: Mapped[list[Extension]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan")
    teachings: Mapped[list[Teaching]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", order_by="Teaching.id")


class Teaching(Base):
    """One instructor of one class (its creator, or a co-instructor added by email): only
    they (and admins) see and administer the class, its gradebook and its learners' work."""

    __tablename__ = "cohort_instructors"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id", name="uq_cohort_instructors"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cohort: Mapped[Cohort] = relationship(back_populates="teachings")
    user: Mapped[User] = relationship()


class Enrollment(Base):
    """One learner in one class (a learner may be in several)."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id", name="uq_enrollments_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cohort: Mapped[Cohort] = relationship(back_populates="enrollments")
    user: Mapped[User] = relationship()


class DueDate(Base):
    """When a lab is due in a class, and what a late submission gets.

    On time: created at or before `due_at`. Late: after `due_at`, up to `late_until`, scored
    minus `late_penalty_percent`; after `late_until`, or after `due_at` when `late_until` is
    None (late work refused), Grade refuses it (webapp/classes/closing.py) unless another
    class of the learner still takes it; such a submission never counts here.
    """

    __tablename__ = "due_dates"
    __table_args__ = (UniqueConstraint("cohort_id", "lab_id", name="uq_due_dates_lab"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    lab_id: Mapped[str] = mapped_column(String(100))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    late_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    late_penalty_percent: Mapped[int] = mapped_column(Integer, default=0)

    cohort: Mapped[Cohort] = relationship(back_populates="due_dates")


class Extension(Base):
    """One learner's own due date for one lab of a class. It replaces the class's `due_at`
    and moves `late_until` by as much, so the late window keeps its length."""

    __tablename__ = "extensions"
    __table_args__ = (
        UniqueConstraint("cohort_id", "lab_id", "user_id", name="uq_extensions_learner_lab"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    lab_id: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    cohort: Mapped[Cohort] = relationship(back_populates="extensions")
    user: Mapped[User] = relationship()


# LTI 1.3: platforms (LMSs) registered by an instructor, launches, and grade passback.


class LtiToolKey(Base):
    """The tool's own RSA key pair: signs the AGS client assertions; its public half is
    published at /lti/jwks. Kept in the database so every worker host signs with it; the
    private half is never shown."""

    __tablename__ = "lti_tool_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LtiPlatform(Base):
    """An LMS registered with archlab: who signs its launches and where its endpoints are."""

    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id", name="uq_lti_platforms_client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    jwks_url: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    deployments: Mapped[list[LtiDeployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="LtiDeployment.id"
    )


class LtiDeployment(Base):
    """A deployment id the platform may launch with (one per install of archlab in the LMS)."""

    __tablename__ = "lti_deployments"
    __table_args__ = (
        UniqueConstraint("platform_id", "deployment_id", name="uq_lti_deployments_platform"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True
    )
    deployment_id: Mapped[str] = mapped_column(String(255))

    platform: Mapped[LtiPlatform] = relationship(back_populates="deployments")


class LtiLoginState(Base):
    """One OIDC login initiation: its state (also in the browser's cookie) and the nonce the
    id_token must carry. `used_at` makes both single-use."""

    __tablename__ = "lti_login_states"

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LtiAccount(Base):
    """The archlab user a platform's user (issuer, sub) signs in as."""

    __tablename__ = "lti_accounts"
    __table_args__ = (UniqueConstraint("issuer", "sub", name="uq_lti_accounts_issuer_sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(500))
    sub: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class LtiContext(Base):
    """A course of the LMS that launched into archlab, and the archlab class it maps to: a
    learner launching from it is enrolled in that class, whose deadlines and rule (best or
    last) then decide the grade sent back."""

    __tablename__ = "lti_contexts"
    __table_args__ = (
        UniqueConstraint("platform_id", "context_id", name="uq_lti_contexts_context"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True
    )
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(500))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"))
    memberships_url: Mapped[str | None] = mapped_column(String(1000))  # NRPS, from a launch

    platform: Mapped[LtiPlatform] = relationship()
    cohort: Mapped[Cohort | None] = relationship()


class LtiResourceLink(Base):
    """A link to archlab placed in a course of the LMS: the lab it opens, the course (context)
    it sits in, and where its grades go (the AGS line item, or the line items container)."""

    __tablename__ = "lti_resource_links"
    __table_args__ = (
        UniqueConstraint("platform_id", "resource_link_id", name="uq_lti_resource_links_link"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True
    )
    deployment_id: Mapped[str] = mapped_column(String(255))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str | None] = mapped_column(String(255), index=True)
    context_title: Mapped[str | None] = mapped_column(String(500))
    title: Mapped[str | None] = mapped_column(String(500))
    lab_id: Mapped[str | None] = mapped_column(String(100))
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))
    lineitems_url: Mapped[str | None] = mapped_column(String(1000))
    ags_scopes: Mapped[str] = mapped_column(Text, default="")  # space-separated
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    platform: Mapped[LtiPlatform] = relationship()


class LtiLearnerLink(Base):
    """A user who launched a resource link: grades of its lab go to them through it."""

    __tablename__ = "lti_learner_links"
    __table_args__ = (
        UniqueConstraint("user_id", "resource_link_id", name="uq_lti_learner_links_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    resource_link_id: Mapped[int] = mapped_column(
        ForeignKey("lti_resource_links.id", ondelete="CASCADE"), index=True
    )
    sub: Mapped[str] = mapped_column(String(255))
    launched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship()
    resource_link: Mapped[LtiResourceLink] = relationship()


class LtiScorePost(Base):
    """The latest grade to send to the LMS through one learner link: recorded before it is
    sent, so a platform that is down loses nothing; retried until `sent_at` is set."""

    __tablename__ = "lti_score_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_link_id: Mapped[int] = mapped_column(
        ForeignKey("lti_learner_links.id", ondelete="CASCADE"), unique=True
    )
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="SET NULL")
    )
    score_given: Mapped[float] = mapped_column(Float)  # a late penalty may leave a fraction
    score_maximum: Mapped[int] = mapped_column(Integer)
    graded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    tries: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_try_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    learner_link: Mapped[LtiLearnerLink] = relationship()
