"""With REDIS_URL, submissions become RQ jobs that `archlab worker` grades (real Redis)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask import Flask

from tests.grading.grading_helpers import add_user, solution_files, submit_as
from webapp.cli import main
from webapp.db import get_session
from webapp.grading.queues import JOB, QUEUE_NAME
from webapp.models import Submission


@pytest.mark.redis
def test_submit_enqueues_an_rq_job_and_archlab_worker_grades_it(
        make_app, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from redis import Redis
    from rq import Queue

    app: Flask = make_app(REDIS_URL=redis_url)
    add_user(app, "ada@example.org")
    submission_id = submit_as(app, "ada@example.org", "toy-items", solution_files())
    queue = Queue(QUEUE_NAME, connection=Redis.from_url(redis_url))
    (job,) = queue.jobs
    assert (job.func_name, job.args) == (JOB, (submission_id, "grade"))

    for name, value in {"REDIS_URL": redis_url, "DATABASE_URL": app.config["DATABASE_URL"],
                        "ARCHLAB_LABS_ROOT": str(app.config["LABS_ROOT"]),
                        "ARCHLAB_SANDBOX": "process", "SECRET_KEY": "test"}.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["worker", "--burst"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        submission = get_session().get(Submission, submission_id)
        assert (submission.status, submission.score, submission.attempt) == ("graded", 6, 1)
    assert queue.count == 0


def test_archlab_worker_needs_redis(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'w.sqlite3'}")
    monkeypatch.setenv("SECRET_KEY", "test")
    result = CliRunner().invoke(main, ["worker", "--burst"])
    assert result.exit_code == 1
    assert "archlab worker needs REDIS_URL" in result.output
