"""Attempt numbers fence every write: once a submission is handed on, the old attempt is mute;
and a job whose worker keeps dying is given up after GRADING_MAX_ATTEMPTS claims."""

from __future__ import annotations

import time

import pytest
from flask import Flask

from labs.catalog import get_lab
from labs.results import CheckResult, Status
from tests.grading.grading_helpers import LEASE_S, add_user, solution_files, submit_as
from webapp.db import get_session
from webapp.grading import attempts, previews
from webapp.grading.janitor import sweep
from webapp.grading.settings import labs_root
from webapp.models import CheckRecord, LabPreview, LabPreviewRow, Submission, User

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


def test_a_preview_is_given_up_after_max_claims_of_one_row_not_of_all_its_rows(
        make_app) -> None:  # type: ignore[no-untyped-def]
    """Each row of a preview is claimed anew, so GRADING_MAX_ATTEMPTS counts the claims of
    the row whose worker keeps dying, not the rows graded before it."""
    app = make_app(GRADING_MAX_ATTEMPTS=2)
    add_user(app, "grace@example.org", "instructor")
    with app.app_context():
        session = get_session()
        user = session.query(User).filter_by(email="grace@example.org").one()
        preview_id = previews.start(session, app, get_lab("toy-items", labs_root(app)),
                                    user).id
    for _ in range(3):  # alternatives, solution, first alternative: three claims, three rows
        previews.run_preview(app, preview_id)
    with app.app_context():
        session = get_session()
        preview = session.get(LabPreview, preview_id)
        assert (preview.status, preview.attempt, preview.tries) == ("queued", 3, 0)
        for lost, requeued in ((1, True), (2, False)):  # the next row's worker dies, twice
            claim = previews.claim_next_row(session, preview_id, LEASE_S)
            assert claim is not None and claim.position == 3
            expire_leases()
            assert sweep(app) == ([("preview", preview_id)] if requeued else [])
            session.refresh(preview)
            assert preview.tries == lost
        assert preview.status == "error"
        assert preview.error == "its grading worker stopped 2 times on one row"
        rows = session.query(LabPreviewRow).filter_by(preview_id=preview_id)
        assert sorted(row.position for row in rows) == [0, 1, 2], "the rows graded stay"
