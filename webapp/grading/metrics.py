"""Prometheus metrics of grading.

Counters and the duration histogram live in the process that grades (the embedded pool of
`archlab serve`, or each `archlab worker`, which serves them on --metrics-port), so each
process's /metrics says what it did. What every process shares is read from the database
when scraped: the queue's depth, the grades in progress and the grades finished in the last
minute, so the web app's /metrics is right however many workers there are.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from labs.results import GradeResult, Verdict
from webapp.models import QUEUED, RUNNING, Submission, utcnow

GRADES = Counter("archlab_grades", "Grades finished by this process, by lab and verdict.",
                 ["lab", "verdict"])
GRADE_SECONDS = Histogram("archlab_grade_duration_seconds",
                          "Wall time of a grade, sandbox start and teardown included.", ["lab"],
                          buckets=(1, 2, 5, 10, 20, 30, 60, 120, 240, 600))
SANDBOX_FAILURES = Counter("archlab_sandbox_failures",
                           "Grades whose sandbox failed (infrastructure errors, retried).",
                           ["lab"])


def record_grade(result: GradeResult) -> None:
    """Count one finished grade (called by the process that ran it)."""
    GRADES.labels(result.lab_id, result.verdict.value).inc()
    GRADE_SECONDS.labels(result.lab_id).observe(result.duration_s)
    if result.verdict is Verdict.INFRASTRUCTURE_ERROR:
        SANDBOX_FAILURES.labels(result.lab_id).inc()


class QueueCollector(Collector):
    """Gauges read from the submissions table at scrape time."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[GaugeMetricFamily]:
        since = utcnow() - timedelta(minutes=1)
        with self.sessions() as session:
            by_status = dict(session.execute(
                select(Submission.status, func.count()).where(
                    Submission.status.in_((QUEUED, RUNNING))).group_by(Submission.status)).all())
            last_minute = session.scalar(select(func.count()).where(
                Submission.finished_at >= since)) or 0
        yield GaugeMetricFamily("archlab_queue_depth", "Submissions waiting for a worker.",
                                value=by_status.get(QUEUED, 0))
        yield GaugeMetricFamily("archlab_grades_running", "Submissions being graded now.",
                                value=by_status.get(RUNNING, 0))
        yield GaugeMetricFamily("archlab_grades_last_minute",
                                "Grades finished in the last minute, by every worker.",
                                value=last_minute)


def queue_registry(sessions: sessionmaker[Session]) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(QueueCollector(sessions))
    return registry
