"""A grader killed mid-grade (SIGKILL) costs nothing: the submission is graded exactly once,
and the sandbox it left is removed.

Real processes: `archlab worker` on real Redis and RQ, and `archlab serve` in embedded mode.
The slow-items lab's 4th check sleeps, which is when the grader dies.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from flask import Flask

from sandboxes.local_servers import free_port
from tests.grading.archlab_processes import archlab_env, kill_hard, start, stop
from tests.grading.grading_helpers import (
    LEASE_S,
    add_user,
    finished,
    mid_grade,
    records,
    solution_files,
    submit_as,
    wait_for,
)
from tests.support.leftovers import process_leftovers
from webapp.db import get_session
from webapp.grading.service import current_checks
from webapp.models import Submission

CHECKS = 4


def sandbox_left(submission_id: int, before: set[str]) -> set[str]:
    """What of attempt 1's sandbox a killed grader left (`before`: what was there already,
    from earlier runs with the same submission id)."""
    left = set(process_leftovers(f"sub{submission_id}-a1")) - before
    assert left, "expected the killed grader to leave its sandbox running"
    return left


def assert_graded_once_by_attempt_2(app: Flask, submission_id: int, left: set[str]) -> None:
    submission = wait_for(app, submission_id, finished, timeout=90, what="the grade to finish")
    assert (submission.status, submission.score, submission.max_score) == ("graded", 7, 7)
    assert submission.attempt == 2, f"expected the second attempt to grade, got {submission}"
    time.sleep(2 * LEASE_S)  # no janitor may hand a finished submission out again
    with app.app_context():
        session = get_session()
        again = session.get(Submission, submission_id)
        assert (again.attempt, again.status) == (2, "graded")
        rows = current_checks(session, again)
        assert [(r.attempt, r.position) for r in rows] == [(2, n) for n in range(CHECKS)]
    assert records(app, submission_id, 1) == CHECKS - 1, "attempt 1's rows stay, ignored"
    still = left & set(process_leftovers(f"sub{submission_id}-a1"))
    assert not still, f"the dead grader's sandbox outlived the re-grade: {sorted(still)}"


@pytest.mark.redis
@pytest.mark.slow
def test_rq_worker_killed_mid_grade_is_regraded_once(make_app, redis_url: str,
                                                     tmp_path: Path) -> None:
    app = make_app(REDIS_URL=redis_url)
    add_user(app, "ada@example.org")
    submission_id = submit_as(app, "ada@example.org", "slow-items", solution_files())
    before = set(process_leftovers(f"sub{submission_id}-a1"))
    env = archlab_env(app, REDIS_URL=redis_url)
    first = start(["worker"], env, tmp_path / "worker1.log")
    try:
        mid_grade(app, submission_id, CHECKS - 1)
        kill_hard(first)
        left = sandbox_left(submission_id, before)
        second = start(["worker"], env, tmp_path / "worker2.log")
        try:
            assert_graded_once_by_attempt_2(app, submission_id, left)
        finally:
            stop(second)
    finally:
        stop(first)


@pytest.mark.slow
def test_embedded_server_restarted_mid_grade_resumes(make_app, tmp_path: Path) -> None:
    app = make_app()
    add_user(app, "ada@example.org")
    running = submit_as(app, "ada@example.org", "slow-items", solution_files())
    before = set(process_leftovers(f"sub{running}-a1"))
    env = archlab_env(app)
    port = str(free_port())
    server = start(["serve", "--port", port], env, tmp_path / "serve1.log")
    try:
        mid_grade(app, running, CHECKS - 1)
        queued = submit_as(app, "ada@example.org", "slow-items", solution_files())
        kill_hard(server)
        left = sandbox_left(running, before)
        with app.app_context():
            assert get_session().get(Submission, running).status == "running"
        server = start(["serve", "--port", port], env, tmp_path / "serve2.log")
        assert_graded_once_by_attempt_2(app, running, left)
        other = wait_for(app, queued, finished, timeout=60)
        assert (other.status, other.score) == ("graded", 7)
    finally:
        stop(server)
