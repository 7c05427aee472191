"""The kinds of job the grading queue carries, and what the shared machinery (RQ's
`run_queued`, the embedded pool, the janitor) needs to know of each: its table of leased rows,
how to run one, what a row given up ends as, and which sandboxes a dead attempt may leave."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy.orm import Session

from webapp.grading import attempts, previews
from webapp.grading.job import run_submission
from webapp.grading.leftovers import sandbox_session_id
from webapp.grading.queues import GRADE, PREVIEW
from webapp.models import LabPreview, Submission


@dataclass(frozen=True)
class JobKind:
    name: str  # what the queue carries beside the row id
    model: attempts.Leased
    run: Callable[[Flask, int], None]
    gave_up: Callable[[int], dict[str, object]]  # a row's end after `max_attempts` claims
    sandboxes: Callable[[Session, attempts.TakenBack], list[str]]  # sessions a dead one left


def _grade_sandboxes(session: Session, taken: attempts.TakenBack) -> list[str]:
    return [sandbox_session_id(taken.job_id, taken.attempt)]


KINDS = {
    GRADE: JobKind(GRADE, Submission, run_submission, attempts.gave_up_submission,
                   _grade_sandboxes),
    PREVIEW: JobKind(PREVIEW, LabPreview, previews.run_preview, previews.gave_up,
                     previews.sandbox_ids),
}
