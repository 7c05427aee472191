"""The soak's checker: reads the database after the run and says what broke the promises.

Every stored submission of the run's lab (acknowledged to a learner or not) must end `graded`,
exactly once, with the score its files deserve (an infrastructure retry is never charged), and
only its current attempt's check rows, one per check, summing to its score.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask
from sqlalchemy import func, select

from tests.soak.workload import SCORES, SOLUTION
from webapp.db import get_session
from webapp.grading.archive import unpack
from webapp.models import GRADED, CheckRecord, Submission


@dataclass(frozen=True)
class Outcome:
    """One submission's final state, as stored."""

    id: int
    status: str
    verdict: str | None
    attempt: int
    infra_retries: int
    score: int | None
    expected: int
    check_count: int | None
    checks: tuple[tuple[int, str, int], ...]  # (position, check id, points) of the attempt
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@dataclass
class Findings:
    submissions: int = 0
    graded: int = 0
    retries: int = 0  # claims beyond the first (a worker died) + infrastructure re-runs
    max_queue_wait_s: float = 0.0  # created -> claimed, for submissions graded first time
    wall_s: float = 0.0  # first stored -> last graded
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    charged: list[str] = field(default_factory=list)

    @property
    def violations(self) -> list[str]:
        return [*self.lost, *self.duplicated, *self.charged]


def graded_count(app: Flask, lab_id: str) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(Submission).where(
            Submission.lab_id == lab_id, Submission.status == GRADED)) or 0


def in_flight_count(app: Flask, lab_id: str) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(Submission).where(
            Submission.lab_id == lab_id, Submission.status.in_(("queued", "running")))) or 0


def outcomes(app: Flask, lab_id: str) -> dict[int, Outcome]:
    with app.app_context():
        session = get_session()
        found = {}
        for row in session.scalars(select(Submission).where(Submission.lab_id == lab_id)):
            checks = session.execute(
                select(CheckRecord.position, CheckRecord.check_id, CheckRecord.points)
                .where(CheckRecord.submission_id == row.id, CheckRecord.attempt == row.attempt)
                .order_by(CheckRecord.position)).all()
            kind = "solution" if unpack(row.files) == SOLUTION else "starter"
            found[row.id] = Outcome(
                row.id, row.status, row.verdict, row.attempt, row.infra_retries, row.score,
                SCORES[kind], row.check_count, tuple(tuple(c) for c in checks),
                row.created_at, row.started_at, row.finished_at)
        return found


def check(app: Flask, lab_id: str, acknowledged: set[int], settle_s: float) -> Findings:
    """Compare two snapshots `settle_s` apart (nothing may change once graded)."""
    before = outcomes(app, lab_id)
    time.sleep(settle_s)
    after = outcomes(app, lab_id)
    findings = Findings(submissions=len(after))
    for missing in sorted(acknowledged - after.keys()):
        findings.lost.append(f"submission {missing} was acknowledged but is not stored")
    for outcome in after.values():
        judge(outcome, findings)
        earlier = before.get(outcome.id)
        if earlier is not None and earlier.status == GRADED and earlier != outcome:
            findings.duplicated.append(f"submission {outcome.id} changed after it was graded: "
                                       f"{earlier} -> {outcome}")
    graded = [o for o in after.values() if o.status == GRADED]
    findings.graded = len(graded)
    findings.retries = sum(max(o.attempt - 1, 0) + o.infra_retries for o in after.values())
    waits = [(o.started_at - o.created_at).total_seconds() for o in graded
             if o.attempt == 1 and o.started_at]
    findings.max_queue_wait_s = max(waits, default=0.0)
    if graded:
        first = min(o.created_at for o in after.values())
        last = max(o.finished_at for o in graded if o.finished_at)
        findings.wall_s = (last - first).total_seconds()
    return findings


def judge(outcome: Outcome, findings: Findings) -> None:
    if outcome.status != GRADED:
        findings.lost.append(f"submission {outcome.id}: expected graded, got {outcome.status} "
                             f"({outcome.verdict}) after {outcome.attempt} attempts")
        return
    if outcome.score != outcome.expected:
        findings.charged.append(f"submission {outcome.id}: expected {outcome.expected} points, "
                                f"got {outcome.score} (attempt {outcome.attempt}, "
                                f"{outcome.infra_retries} infrastructure retries)")
    positions = [position for position, _, _ in outcome.checks]
    ids = [check_id for _, check_id, _ in outcome.checks]
    points = sum(p for _, _, p in outcome.checks)
    if (positions != list(range(len(ids))) or len(set(ids)) != len(ids)
            or len(ids) != outcome.check_count or points != outcome.score):
        findings.duplicated.append(
            f"submission {outcome.id} attempt {outcome.attempt}: expected {outcome.check_count} "
            f"check rows at positions 0.. summing to {outcome.score}, got {outcome.checks}")
