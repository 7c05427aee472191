"""A sandbox failure is retried and never counts against the learner; a lab the site's
sandbox cannot grade at all is not retried and does not count either."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from sandboxes import SandboxError, get_backend
from tests.grading.grading_helpers import (
    add_user,
    finished,
    logged_in,
    solution_files,
    submit_as,
    wait_for,
)
from webapp.db import get_session
from webapp.grading.pool import EmbeddedPool
from webapp.grading.service import best_scores
from webapp.models import Submission


class FlakySandbox:
    """The real process backend, except that its first `failures` starts fail."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.starts = 0
        self.real = get_backend("process", trusted=False)

    def start(self, *args: Any, **kwargs: Any) -> Any:
        self.starts += 1
        if self.starts <= self.failures:
            raise SandboxError("the engine went away (injected)")
        return self.real.start(*args, **kwargs)


def grade_with(make_app, failures: int, lab_id: str = "toy-items",  # type: ignore[no-untyped-def]
               ) -> tuple[Flask, Submission, FlakySandbox]:
    sandbox = FlakySandbox(failures)
    app = make_app(GRADING_BACKEND=sandbox, GRADING_INFRA_RETRIES=2)
    add_user(app, "ada@example.org")
    submission_id = submit_as(app, "ada@example.org", lab_id, solution_files())
    pool = EmbeddedPool(app, workers=1).start()
    try:
        submission = wait_for(app, submission_id, finished, what="the grade to finish")
    finally:
        pool.stop()
    return app, submission, sandbox


def test_a_failed_sandbox_is_retried_and_then_graded(make_app) -> None:  # type: ignore[no-untyped-def]
    _, submission, sandbox = grade_with(make_app, failures=2)
    assert (submission.status, submission.score, submission.attempt) == ("graded", 6, 3)
    assert (submission.infra_retries, sandbox.starts) == (2, 3)


def test_a_sandbox_that_keeps_failing_ends_as_an_error_that_does_not_count(make_app) -> None:  # type: ignore[no-untyped-def]
    app, submission, sandbox = grade_with(make_app, failures=10)
    assert (submission.status, submission.verdict) == ("error", "infrastructure_error")
    assert sandbox.starts == 3, "expected the first run and 2 retries"
    with app.app_context():
        assert best_scores(get_session()) == {}, "an error must not become a score"
    for _ in range(2):  # nor hold one of the learner's in-flight slots
        submit_as(app, "ada@example.org", "toy-items", solution_files())


def test_a_lab_the_sandbox_cannot_grade_ends_at_once_as_an_error_saying_why(  # type: ignore[no-untyped-def]
        make_app, labs_root: Path) -> None:
    toml = labs_root / "toy_items" / "lab.toml"
    toml.write_text(toml.read_text().replace('chapter = "toys"',
                                             'chapter = "toys"\nrequires = ["docker"]'))
    app, submission, sandbox = grade_with(make_app, failures=0)
    assert (submission.status, submission.verdict, submission.score) == (
        "error", "not_gradable_here", 0)
    assert (sandbox.starts, submission.infra_retries, submission.attempt) == (0, 0, 1)
    with app.app_context():
        assert best_scores(get_session()) == {}, "a lab this site cannot grade became a score"
    page = logged_in(app, "bob@example.org", "admin").get(  # sees learners in no class
        f"/submissions/{submission.id}").get_data(as_text=True)
    assert "This site's sandbox cannot grade this lab (it needs Docker)" in page
    assert "this lab can only be graded on the Docker sandbox" in page
