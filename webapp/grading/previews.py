"""Lab previews: an instructor runs `labs verify` on a lab from the browser and watches its
table fill in, so a weak grader shows up before learners meet it.

A preview is a job of its own kind (`preview`) on the grading queue: `start` stores the row
(the lab and the rows it will fill, in verify's order) and enqueues its id; a grading worker
(`archlab worker` on RQ, or the embedded pool) claims it like a submission, runs verify on the
grading sandbox backend with a heartbeat renewing its lease, and stores each row the moment
it is graded, fenced by its attempt. A worker that dies hands the preview on: the janitor
re-queues it once the lease expires and removes the sandbox it left, and the next attempt
verifies the lab again from the first row. At most one preview of a lab is queued or
running at a time; the page shows the lab's newest.
"""

from __future__ import annotations

import itertools
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from labs.catalog import UnknownLab, alternative_dirs, get_lab, load_checks
from labs.spec import Lab, LabSpecError
from labs.verify import MIN_ALTERNATIVES, MutantError, VerifyRow, load_mutants, verify
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
    mutants = load_mutants(lab, load_checks(lab))
    return [Planned("alternatives", f"at least {MIN_ALTERNATIVES}"),
            Planned("solution", "full marks"),
            *(Planned(f"alternative {path.name}", "full marks") for path in alternative_dirs(lab)),
            Planned("starter", "less than full marks"),
            *(Planned(f"mutant {m.name}", f"{m.caught_by} fails") for m in mutants)]


def start(session: Session, app: Flask, lab: Lab, user: User) -> LabPreview:
    """Store a queued preview of `lab` and enqueue it; PreviewRunning when one is queued or
    running, LabSpecError or MutantError when the lab does not load."""
    planned = plan(lab)
    running = PreviewRunning(f"A preview of {lab.id} is running already.")
    if latest(session, lab.id, in_flight=True) is not None:
        raise running
    preview = LabPreview(lab_id=lab.id, created_by=user.id, status=QUEUED, attempt=0,
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
    """What the page shows of a preview: its rows so far (of its current attempt), the rows
    still to come, and how it ended."""

    preview: LabPreview
    rows: list[LabPreviewRow]

    @property
    def queued(self) -> bool:
        return self.preview.status == QUEUED

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
    rows = session.scalars(
        select(LabPreviewRow)
        .where(LabPreviewRow.preview_id == preview.id, LabPreviewRow.attempt == preview.attempt)
        .order_by(LabPreviewRow.position))
    return PreviewState(preview, list(rows))


# The worker's side


@dataclass(frozen=True)
class PreviewClaim:
    """One attempt at a preview (attempts.Owner: its writes are fenced by `attempt`)."""

    preview_id: int
    attempt: int
    lab_id: str
    model: ClassVar[attempts.Leased] = LabPreview

    @property
    def job_id(self) -> int:
        return self.preview_id


def session_prefix(preview_id: int, attempt: int) -> str:
    """The sandbox sessions of one attempt are <this>-<run>-<subject index> (labs.verify)."""
    return f"preview{preview_id}-a{attempt}"


def run_preview(app: Flask, preview_id: int) -> None:
    """Verify the previewed lab unless another attempt holds the preview."""
    sessions: sessionmaker[Session] = app.extensions[EXTENSION]
    lease = float(setting(app, "GRADING_LEASE_S"))
    with sessions() as session:
        attempt = attempts.claim_row(session, LabPreview, preview_id, lease)
        if attempt is None:
            return
        lab_id = session.scalar(select(LabPreview.lab_id).where(LabPreview.id == preview_id))
    claim = PreviewClaim(preview_id, attempt, str(lab_id))
    run_leased(claim, sessions, lease, lambda: _verify(app, sessions, claim, lease))


def _verify(app: Flask, sessions: sessionmaker[Session], claim: PreviewClaim,
            lease: float) -> None:
    position = itertools.count()

    def record(row: VerifyRow) -> None:
        with sessions() as session:
            attempts.guarded(session, claim, lease_expires_at=utcnow() + timedelta(seconds=lease))
            session.add(LabPreviewRow(
                preview_id=claim.preview_id, attempt=claim.attempt, position=next(position),
                subject=row.subject, expected=row.expected, outcome=row.outcome, ok=row.ok,
                failed_checks=json.dumps([c.id for c in row.checks if c.status == "failed"]),
                graded=bool(row.checks), duration_s=row.duration_s))
            session.commit()

    ended: dict[str, Any]
    try:
        lab = get_lab(claim.lab_id, labs_root(app))
        report = verify(lab, sandbox_backend(app), on_row=record,
                        session_prefix=session_prefix(claim.preview_id, claim.attempt))
    except attempts.StaleAttempt:
        raise
    except (UnknownLab, LabSpecError, MutantError) as exc:
        ended = {"status": ERROR, "error": f"the lab cannot be verified: {exc}"}
    except Exception as exc:  # the page must say it stopped, whatever stopped it
        log.exception("lab preview %s of %s failed", claim.preview_id, claim.lab_id)
        ended = {"status": ERROR, "error": f"{type(exc).__name__}: {exc}"}
    else:
        ended = {"status": PREVIEW_DONE, "not_gradable": report.not_gradable,
                 "findings": json.dumps(findings(report))}
        log.info("lab preview %s of %s: %s", claim.preview_id, claim.lab_id,
                 "verified" if report.ok else "rows disagree")
    with sessions() as session:
        attempts.guarded(session, claim, finished_at=utcnow(), lease_expires_at=None, **ended)
        session.commit()


def gave_up(max_attempts: int) -> dict[str, object]:
    """What a preview that lost its worker `max_attempts` times ends as."""
    return {"error": f"its grading worker stopped {max_attempts} times"}


def sandbox_ids(session: Session, taken: attempts.TakenBack) -> list[str]:
    """Every sandbox session the dead attempt may have left (one per subject it grades)."""
    planned = session.scalar(select(LabPreview.planned).where(LabPreview.id == taken.job_id))
    subjects = len(json.loads(planned)) - 1 if planned else 0  # "alternatives" grades nothing
    prefix = session_prefix(taken.job_id, taken.attempt)
    return [f"{prefix}-1-{index}" for index in range(subjects)]

