"""The kinds of job the grading queue carries, and what the shared machinery (RQ's
`run_queued`, the embedded pool, the janitor) needs to know of each: its table of leased rows,
how to run one, what a row given up ends as, which sandboxes a dead attempt may leave, which
column counts the claims that give up, and which says when a row's turn in the queue came.

A job is a short unit either way: one submission's grade, or one planned row of a lab
preview (the preview queues itself again for its next row), so the workers serve learners
and authors in turn."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
    tries: Any  # the column of claims that count toward GRADING_MAX_ATTEMPTS
    turn: Any  # the column of when a queued row joined the queue (the pool serves in order)


def _grade_sandboxes(session: Session, taken: attempts.TakenBack) -> list[str]:
    return [sandbox_session_id(taken.job_id, taken.attempt)]


KINDS = {
    GRADE: JobKind(GRADE, Submission, run_submission, attempts.gave_up_submission,
                   _grade_sandboxes, Submission.attempt, Submission.created_at),
    PREVIEW: JobKind(PREVIEW, LabPreview, previews.run_preview, previews.gave_up,
                     previews.sandbox_ids, LabPreview.tries, LabPreview.queued_at),
}
