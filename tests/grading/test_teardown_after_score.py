"""A grade's score is stored before its sandbox is torn down (the learner does not wait for
the teardown), and the worker still tears it down before it takes another job."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sandboxes.process.backend import ProcessSession
from tests.grading.grading_helpers import solution_files, submit_as
from tests.support.leftovers import process_leftovers
from webapp.db import EXTENSION
from webapp.grading.job import run_submission
from webapp.models import Submission


def test_the_score_is_stored_before_the_sandbox_is_torn_down(
        app: Flask, learner: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    submission_id = submit_as(app, "ada@example.org", "toy-items", solution_files())
    stored_at_teardown: list[tuple[str, int | None]] = []
    close = ProcessSession.close

    def close_after_looking(session: ProcessSession) -> None:
        with app.extensions[EXTENSION]() as db:
            row = db.get(Submission, submission_id)
            assert row is not None
            stored_at_teardown.append((row.status, row.score))
        close(session)

    monkeypatch.setattr(ProcessSession, "close", close_after_looking)
    run_submission(app, submission_id)
    assert stored_at_teardown[:1] == [("graded", 6)]
    assert process_leftovers(f"sub{submission_id}-a1") == []
