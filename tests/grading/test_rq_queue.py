"""With REDIS_URL, submissions become RQ jobs that `archlab worker` grades (real Redis)."""

from __future__ import annotations

import signal

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

    worker_environment(monkeypatch, app, redis_url)
    result = CliRunner().invoke(main, ["worker", "--burst"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        submission = get_session().get(Submission, submission_id)
        assert (submission.status, submission.score, submission.attempt) == ("graded", 6, 1)
    assert queue.count == 0


def worker_environment(monkeypatch: pytest.MonkeyPatch, app: Flask, redis_url: str) -> None:
    """What `archlab worker` reads to grade the submissions of `app` from `redis_url`."""
    for name, value in {"REDIS_URL": redis_url, "DATABASE_URL": app.config["DATABASE_URL"],
                        "ARCHLAB_LABS_ROOT": str(app.config["LABS_ROOT"]),
                        "ARCHLAB_SANDBOX": "process", "SECRET_KEY": "test"}.items():
        monkeypatch.setenv(name, value)


@pytest.mark.redis
def test_archlab_worker_puts_back_the_signal_handlers_it_found(
        make_app, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """rq's worker installs its own SIGINT/SIGTERM handlers; run in this process (as the test
    above runs it) it must leave ours, or a later Ctrl-C of pytest becomes rq's StopRequested."""

    def ours(signum: int, frame: object) -> None:
        raise AssertionError("not to be called")

    worker_environment(monkeypatch, make_app(REDIS_URL=redis_url), redis_url)
    found = {each: signal.signal(each, ours) for each in (signal.SIGINT, signal.SIGTERM)}
    try:
        result = CliRunner().invoke(main, ["worker", "--burst"])  # an empty queue: it stops
        left = {each: signal.getsignal(each) for each in found}
    finally:
        for each, handler in found.items():
            signal.signal(each, handler)
    assert result.exit_code == 0, result.output
    assert left == {signal.SIGINT: ours, signal.SIGTERM: ours}


def test_archlab_worker_needs_redis(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'w.sqlite3'}")
    monkeypatch.setenv("SECRET_KEY", "test")
    result = CliRunner().invoke(main, ["worker", "--burst"])
    assert result.exit_code == 1
    assert "archlab worker needs REDIS_URL" in result.output
