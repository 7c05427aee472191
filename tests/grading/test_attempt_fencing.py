"""Attempt numbers fence every write: once a submission is handed on, the old attempt is mute."""

from __future__ import annotations

import time

import pytest
from flask import Flask

from labs.results import CheckResult, Status
from tests.grading.grading_helpers import LEASE_S, add_user, solution_files, submit_as
from webapp.db import get_session
from webapp.grading import attempts
from webapp.models import CheckRecord, Submission

RESULT = CheckResult(id="health_answers", name="health", status=Status.PASSED, points=1,
                     max_points=1)


def expire_leases() -> None:
    time.sleep(LEASE_S + 0.1)


@pytest.fixture
def submission_id(app: Flask) -> int:
    add_user(app, "ada@example.org")
    return submit_as(app, "ada@example.org", "toy-items", solution_files())


def test_a_held_submission_cannot_be_claimed_twice(app: Flask, submission_id: int) -> None:
    with app.app_context():
        session = get_session()
        first = attempts.claim(session, submission_id, LEASE_S)
        assert first is not None and first.attempt == 1
        assert attempts.claim(session, submission_id, LEASE_S) is None


def test_a_stale_attempt_writes_nothing(app: Flask, submission_id: int) -> None:
    with app.app_context():
        session = get_session()
        old = attempts.claim(session, submission_id, LEASE_S)
        assert old is not None
        expire_leases()
        taken = attempts.requeue_expired(session, max_attempts=5)
        assert [(t.job_id, t.attempt, t.requeued) for t in taken] == [
            (submission_id, 1, True)]
        new = attempts.claim(session, submission_id, LEASE_S)
        assert new is not None and new.attempt == 2
        with pytest.raises(attempts.StaleAttempt):
            attempts.record_check(session, old, 0, RESULT, LEASE_S)
        with pytest.raises(attempts.StaleAttempt):
            attempts.renew(session, old, LEASE_S)
        attempts.record_check(session, new, 0, RESULT, LEASE_S)
        assert [r.attempt for r in session.query(CheckRecord)] == [2]


def test_a_submission_that_keeps_losing_its_worker_ends_as_an_error(
        app: Flask, submission_id: int) -> None:
    with app.app_context():
        session = get_session()
        assert attempts.claim(session, submission_id, LEASE_S) is not None
        expire_leases()
        taken = attempts.requeue_expired(session, max_attempts=1)
        assert [(t.job_id, t.requeued) for t in taken] == [(submission_id, False)]
        submission = session.get(Submission, submission_id)
        session.refresh(submission)
        assert (submission.status, submission.verdict) == ("error", "infrastructure_error")
