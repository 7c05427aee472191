"""The REST lab's reference solution, submitted through the site, graded on the Docker backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from labs.catalog import LABS_ROOT
from tests.grading.grading_helpers import add_user, finished, submit_as, wait_for
from webapp.db import get_session
from webapp.grading.pool import EmbeddedPool
from webapp.grading.service import current_checks
from webapp.models import Submission

REST_SOLUTION = LABS_ROOT / "rest_api" / "solution"


def folder_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


@pytest.mark.docker
@pytest.mark.slow
def test_rest_api_solution_scores_full_marks_on_docker(make_app, docker_client) -> None:
    app = make_app(LABS_ROOT=LABS_ROOT, ARCHLAB_SANDBOX="docker")
    add_user(app, "ada@example.org")
    submission_id = submit_as(app, "ada@example.org", "rest-api", folder_files(REST_SOLUTION))
    pool = EmbeddedPool(app, workers=1).start()
    try:
        submission = wait_for(app, submission_id, finished, timeout=300,
                              what="the REST lab grade to finish")
    finally:
        pool.stop()
    assert (submission.status, submission.verdict) == ("graded", "graded")
    assert submission.score == submission.max_score == 100
    with app.app_context():
        rows = current_checks(get_session(), get_session().get(Submission, submission_id))
    assert len(rows) == submission.check_count
    assert all(row.status == "passed" for row in rows)
