"""Lab previews: an instructor runs `labs verify` on a lab from the browser and watches its
table fill in, so a weak grader shows up before learners meet it.

A preview is a job of its own kind (`preview`) on the grading queue, one planned row at a
time: `start` stores the preview (the lab, the rows it will fill in verify's order, the seed
every row is graded with) and enqueues its id; a grading worker (`archlab worker` on RQ, or
the embedded pool) claims it like a submission, grades the next planned row on the grading
sandbox backend with a heartbeat renewing its lease, and stores that row fenced by its
attempt - in the same transaction as it either queues the preview again, at the back of the
queue behind whatever was submitted meanwhile, or, after the last row, stores the findings
(computed from the stored rows) and ends it. So a preview holds a worker for one grade at a
time, and learners' submissions and authors' rows take turns on the same workers.

A worker that dies loses only the row it was grading: the janitor re-queues the preview once
the lease expires and removes that grade's sandbox, and the next claim grades that row
again; the rows stored before stay as they are. At most one preview of a lab is queued or
running at a time; the page shows the lab's newest.
"""

from __future__ import annotations

import json
import logging
import random
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar

from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from labs.catalog import UnknownLab, get_lab, load_checks
from labs.spec import Lab, LabSpecError
from labs.verify import (
    MIN_ALTERNATIVES,
    CheckOutcome,
    MutantError,
    VerifyReport,
    VerifyRow,
    alternatives_row,
    grade_subject,
    load_mutants,
    prepare,
    subjects,
)
from labs.verify_findings import findings
from webapp.db import EXTENSION
from webapp.grading import attempts
from webapp.grading.job import run_leased
from webapp.grading.queues import PREVIEW, QueueUnavailable, get_queue
from webapp.grading.settings import labs_root, sandbox_backend, setting
from webapp.models import (
    ERROR,
    IN_FLIGHT,
    PREVIEW_DONE,
    QUEUED,
    RUNNING,
    LabPreview,
    LabPreviewRow,
    User,
    utcnow,
)

log = logging.getLogger(__name__)


class PreviewRunning(Exception):
    """A preview of this lab is queued or under way already."""


@dataclass(frozen=True)
class Planned:
    """A row the preview will fill: who is graded, and what it must get."""

    subject: str
    expected: str


def plan(lab: Lab) -> list[Planned]:
    """The rows of a preview in verify's order (mutants load here, so a broken one is said
    before anything is queued)."""
    graded = subjects(lab, load_mutants(lab, load_checks(lab)))
    return [Planned("alternatives", f"at least {MIN_ALTERNATIVES}"),
            *(Planned(subject.name, subject.expected) for subject in graded)]


def start(session: Session, app: Flask, lab: Lab, user: User) -> LabPreview:
    """Store a queued preview of `lab` and enqueue it (for its first row); PreviewRunning when
    one is queued or running, LabSpecError or MutantError when the lab does not load."""
    planned = plan(lab)
    running = PreviewRunning(f"A preview of {lab.id} is running already.")
    if latest(session, lab.id, in_flight=True) is not None:
        raise running
    preview = LabPreview(lab_id=lab.id, created_by=user.id, status=QUEUED, attempt=0, tries=0,
                         queued_at=utcnow(), seed=_new_seed(),
                         planned=json.dumps([[p.subject, p.expected] for p in planned]))
    session.add(preview)
    try:
        session.commit()
    except IntegrityError:  # another request stored one since the check: the index says so
        session.rollback()
        raise running from None
    try:
        get_queue(app).enqueue(preview.id, PREVIEW)
    except QueueUnavailable:  # stored and queued: a janitor enqueues it once the queue is back
        log.warning("lab preview %s stored while the queue is down", preview.id)
    return preview


def latest(session: Session, lab_id: str, in_flight: bool = False) -> LabPreview | None:
    """The lab's newest preview (only a queued or running one with `in_flight`)."""
    query = select(LabPreview).where(LabPreview.lab_id == lab_id)
    if in_flight:
        query = query.where(LabPreview.status.in_(IN_FLIGHT))
    return session.scalar(query.order_by(LabPreview.id.desc()).limit(1))


@dataclass
class PreviewState:
    """What the page shows of a preview: its rows so far, the rows still to come, and how it
    ended."""

    preview: LabPreview
    rows: list[LabPreviewRow]

    @property
    def queued(self) -> bool:
        """No worker has taken a row of it yet."""
        return self.preview.status == QUEUED and not self.rows

    @property
    def grading(self) -> bool:
        """A worker grades its next row now (else that row waits its turn in the queue)."""
        return self.preview.status == RUNNING

    @property
    def finished(self) -> bool:
        return not self.preview.in_flight

    @property
    def error(self) -> str:
        return (self.preview.error or "") if self.preview.status == ERROR else ""

    @property
    def not_gradable(self) -> str:
        return self.preview.not_gradable or ""

    @property
    def planned(self) -> list[Planned]:
        return [Planned(*pair) for pair in json.loads(self.preview.planned)]

    def waiting(self) -> list[Planned]:
        """The planned rows not graded yet, in the order they will be."""
        done = {row.subject for row in self.rows}
        return [row for row in self.planned if row.subject not in done]

    def disagreeing(self) -> int:
        return sum(1 for row in self.rows if not row.ok)

    def findings(self) -> list[str]:
        return json.loads(self.preview.findings) if self.preview.findings else []

    @property
    def elapsed_s(self) -> float:
        started, finished = self.preview.started_at, self.preview.finished_at
        return round((finished - started).total_seconds(), 1) if started and finished else 0.0

    @staticmethod
    def failed_checks(row: LabPreviewRow) -> list[str]:
        return list(json.loads(row.failed_checks))


def state(session: Session, preview: LabPreview) -> PreviewState:
    rows = session.scalars(select(LabPreviewRow).where(LabPreviewRow.preview_id == preview.id)
                           .order_by(LabPreviewRow.position))
    return PreviewState(preview, list(rows))


# The worker's side


class PlanChanged(Exception):
    """The lab no longer has a subject the preview planned (its author changed it meanwhile)."""


@dataclass(frozen=True)
class PreviewClaim:
    """One claim of a preview: the row it grades (attempts.Owner: its writes are fenced by
    `attempt`); `subject` is None when every planned row is stored already."""

    preview_id: int
    attempt: int
    lab_id: str
    position: int
    subject: str | None
    seed: int
    model: ClassVar[attempts.Leased] = LabPreview

    @property
    def job_id(self) -> int:
        return self.preview_id


def session_prefix(preview_id: int, attempt: int) -> str:
    """The sandbox session of one claim's grade is <this>-1-<position - 1> (labs.verify's
    naming: run 1, subjects counted from the solution)."""
    return f"preview{preview_id}-a{attempt}"


def sandbox_session(preview_id: int, attempt: int, position: int) -> str:
    return f"{session_prefix(preview_id, attempt)}-1-{position - 1}"


def _stored(session: Session, preview_id: int, before_attempt: int | None = None) -> int:
    """How many rows of the preview are stored (by attempts before `before_attempt`)."""
    query = select(func.count()).select_from(LabPreviewRow).where(
        LabPreviewRow.preview_id == preview_id)
    if before_attempt is not None:
        query = query.where(LabPreviewRow.attempt < before_attempt)
    return int(session.scalar(query) or 0)


def claim_next_row(session: Session, preview_id: int, lease: float) -> PreviewClaim | None:
    """A new attempt at the preview, for its next planned row (a claim counts toward
    GRADING_MAX_ATTEMPTS of that row only); None when someone else holds it or it is done."""
    attempt = attempts.claim_row(session, LabPreview, preview_id, lease,
                                 tries=LabPreview.tries + 1,
                                 started_at=func.coalesce(LabPreview.started_at, utcnow()))
    if attempt is None:
        return None
    preview = session.get(LabPreview, preview_id)
    assert preview is not None
    session.refresh(preview)
    position = _stored(session, preview_id)
    planned = json.loads(preview.planned)
    subject = planned[position][0] if position < len(planned) else None
    return PreviewClaim(preview_id, attempt, preview.lab_id, position, subject,
                        preview.seed if preview.seed is not None else _new_seed())


def run_preview(app: Flask, preview_id: int) -> None:
    """Grade the preview's next row unless another attempt holds the preview; enqueue the
    preview again when rows are left."""
    sessions: sessionmaker[Session] = app.extensions[EXTENSION]
    lease = float(setting(app, "GRADING_LEASE_S"))
    with sessions() as session:
        claim = claim_next_row(session, preview_id, lease)
    if claim is None:
        return
    more = run_leased(claim, sessions, lease, lambda: _next_row(app, sessions, claim, lease))
    if more:
        try:
            get_queue(app).enqueue(preview_id, PREVIEW)
        except QueueUnavailable:
            log.warning("lab preview %s stays queued for the janitor: the queue is down",
                        preview_id)


def _next_row(app: Flask, sessions: sessionmaker[Session], claim: PreviewClaim,
              lease: float) -> bool:
    """Grade and store the claimed row; True when the preview was queued again for more."""
    row: VerifyRow | None = None
    try:
        lab = get_lab(claim.lab_id, labs_root(app))
        backend = sandbox_backend(app)
        not_gradable = lab.needs_beyond(backend)
        if not_gradable:
            return _end(sessions, claim, {"status": PREVIEW_DONE, "not_gradable": not_gradable})
        if claim.subject is not None:
            row = _grade(lab, backend, claim)
    except attempts.StaleAttempt:
        raise
    except (UnknownLab, LabSpecError, MutantError, PlanChanged) as exc:
        return _end(sessions, claim,
                    {"status": ERROR, "error": f"the lab cannot be verified: {exc}"})
    except Exception as exc:  # the page must say it stopped, whatever stopped it
        log.exception("lab preview %s of %s failed", claim.preview_id, claim.lab_id)
        return _end(sessions, claim, {"status": ERROR, "error": f"{type(exc).__name__}: {exc}"})
    with sessions() as session:
        planned = session.scalar(select(LabPreview.planned)
                                 .where(LabPreview.id == claim.preview_id))
        more = row is not None and claim.position + 1 < len(json.loads(planned or "[]"))
        if more:
            values: dict[str, Any] = {"status": QUEUED, "tries": 0, "lease_expires_at": None,
                                      "queued_at": utcnow()}
        else:
            values = {"status": PREVIEW_DONE, "finished_at": utcnow(), "lease_expires_at": None}
        attempts.guarded(session, claim, **values)  # the fence, before the row goes in
        if row is not None:
            session.add(_stored_row(claim, row))
        if not more:
            session.flush()
            values = {"findings": json.dumps(findings(_report(session, lab, claim)))}
            session.execute(update(LabPreview).where(LabPreview.id == claim.preview_id)
                            .values(**values))
            log.info("lab preview %s of %s finished", claim.preview_id, claim.lab_id)
        session.commit()
    return more


def _grade(lab: Lab, backend: Any, claim: PreviewClaim) -> VerifyRow:
    """The claimed subject's row, graded as `labs verify` grades it."""
    if claim.subject == "alternatives":
        return alternatives_row(lab)
    checks = load_checks(lab)
    graded = {subject.name: subject for subject in subjects(lab, load_mutants(lab, checks))}
    subject = graded.get(claim.subject or "")
    if subject is None:
        raise PlanChanged(f"it has no {claim.subject} any more (changed since the preview "
                          "started): run the preview again")
    with tempfile.TemporaryDirectory(prefix=f"archlab-preview{claim.preview_id}-") as scratch:
        folder = prepare(subject, Path(scratch))
        return grade_subject(lab, backend, checks, subject, folder, claim.seed, 1,
                             sandbox_session(claim.preview_id, claim.attempt, claim.position))


def _stored_row(claim: PreviewClaim, row: VerifyRow) -> LabPreviewRow:
    return LabPreviewRow(
        preview_id=claim.preview_id, attempt=claim.attempt, position=claim.position,
        subject=row.subject, expected=row.expected, outcome=row.outcome, ok=row.ok,
        failed_checks=json.dumps([c.id for c in row.checks if c.status == "failed"]),
        graded=bool(row.checks), duration_s=row.duration_s,
        checks=json.dumps([asdict(check) for check in row.checks]), cause=row.cause)


def _report(session: Session, lab: Lab, claim: PreviewClaim) -> VerifyReport:
    """The verify report of the stored rows, as `labs verify` would have made it."""
    checks = load_checks(lab)
    mutants = load_mutants(lab, checks)
    stored = session.scalars(select(LabPreviewRow).where(
        LabPreviewRow.preview_id == claim.preview_id).order_by(LabPreviewRow.position))
    rows = [VerifyRow(row.subject, 1, row.expected, row.outcome, row.ok,
                      tuple(CheckOutcome(**{**check, "answers": tuple(check["answers"])})
                            for check in json.loads(row.checks or "[]")),
                      row.duration_s, row.cause or "") for row in stored]
    return VerifyReport(lab.id, rows, None, {m.name: m.caught_by for m in mutants},
                        {c.id: c.name for c in checks},
                        {m.name: m.also_fails for m in mutants if m.also_fails})


def _end(sessions: sessionmaker[Session], claim: PreviewClaim, values: dict[str, Any]) -> bool:
    """End the preview with `values` (fenced); False: nothing more to queue."""
    with sessions() as session:
        attempts.guarded(session, claim, finished_at=utcnow(), lease_expires_at=None, **values)
        session.commit()
    return False


def _new_seed() -> int:
    return random.SystemRandom().randrange(2**31)


def gave_up(max_attempts: int) -> dict[str, object]:
    """What a preview whose worker stopped `max_attempts` times on one row ends as."""
    return {"error": f"its grading worker stopped {max_attempts} times on one row"}


def sandbox_ids(session: Session, taken: attempts.TakenBack) -> list[str]:
    """The sandbox session the dead attempt's grade may have left: the row it was grading
    (the one after every row stored before it; the alternatives row grades nothing)."""
    position = _stored(session, taken.job_id, before_attempt=taken.attempt)
    return [sandbox_session(taken.job_id, taken.attempt, position)] if position > 0 else []
