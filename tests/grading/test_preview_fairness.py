"""A lab preview takes turns with learners' submissions on the same grading worker: each of
its planned rows is one job, and the preview queues itself again behind whatever was
submitted while a row was graded. So with ONE grader (the embedded pool's thread, or one
`archlab worker` on Redis in the postgres-redis subset), a submission stored while a preview
runs waits for the row in flight only, not for the rest of the preview.

The preview is of slow-items (each grade sleeps 2 s in its last check: 6 grades, over 12 s);
the submission is the toy lab's solution.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from labs.catalog import get_lab
from tests.grading.archlab_processes import WorkerProcesses
from tests.grading.grading_helpers import add_user, finished, solution_files, submit_as, wait_for
from tests.support import backing
from webapp.db import get_session
from webapp.grading import previews
from webapp.grading.pool import EmbeddedPool
from webapp.grading.settings import labs_root
from webapp.models import LabPreview, LabPreviewRow, User


@pytest.fixture
def one_grader(app: Flask, tmp_path: Path) -> Iterator[EmbeddedPool | WorkerProcesses]:
    graders = (WorkerProcesses(app, 1, tmp_path) if backing.on_postgres_and_redis()
               else EmbeddedPool(app, workers=1))
    graders.start()
    yield graders
    graders.stop()


def preview_progress(app: Flask, preview_id: int) -> tuple[str, int, int]:
    """(status, rows stored, rows planned)."""
    with app.app_context():
        session = get_session()
        preview = session.get(LabPreview, preview_id)
        assert preview is not None
        stored = session.query(LabPreviewRow).filter_by(preview_id=preview_id).count()
        return preview.status, stored, len(previews.state(session, preview).planned)


def test_a_submission_stored_while_a_preview_runs_is_graded_before_its_remaining_rows(
        app: Flask, one_grader: EmbeddedPool | WorkerProcesses) -> None:
    add_user(app, "grace@example.org", "instructor")
    add_user(app, "ada@example.org")
    with app.app_context():
        session = get_session()
        user = session.query(User).filter_by(email="grace@example.org").one()
        preview_id = previews.start(session, app, get_lab("slow-items", labs_root(app)),
                                    user).id
    deadline = time.monotonic() + 60
    while (progress := preview_progress(app, preview_id))[:2] != ("running", 2):
        assert time.monotonic() < deadline, f"the worker did not grade the solution: {progress}"
        time.sleep(0.05)
    # the solution row is stored and the worker grades the next one (over 2 s): submit now
    submission_id = submit_as(app, "ada@example.org", "toy-items", solution_files())
    graded = wait_for(app, submission_id, finished, timeout=60, what="the submission graded")
    status, stored, planned = preview_progress(app, preview_id)
    assert graded.score == graded.max_score
    assert status in ("queued", "running") and stored <= 3, (
        f"the submission waited for {stored - 2} preview rows, not only the one in flight")
    assert stored < planned
    deadline = time.monotonic() + 120
    while (progress := preview_progress(app, preview_id))[0] in ("queued", "running"):
        assert time.monotonic() < deadline, f"the preview did not finish: {progress}"
        time.sleep(0.1)
    assert progress == ("done", planned, planned)
    with app.app_context():
        session = get_session()
        state = previews.state(session, previews.latest(session, "slow-items"))
        assert state.disagreeing() == 0 and state.findings() == []
