"""Helpers of the grading tests: lab files, users, submitting and waiting for a grade."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.conftest import PASSWORD, AuthActions
from webapp.auth.accounts import create_user
from webapp.db import get_session
from webapp.models import Submission, User

REPO = Path(__file__).resolve().parents[2]
TOY_LAB = REPO / "tests" / "labs" / "toy_lab"
SLOW_CHECK = '''

import time as _time


@checks.check("Takes its time and reports numbers", points=1)
def takes_its_time(ctx: CheckContext) -> None:
    _time.sleep({sleep})
    ctx.metric("p50 latency", 12.5, "ms")
    ctx.chart("latency percentiles", "bar", {{"p50": 12.5, "p99": 40}})
    ctx.chart("requests over time", "timeline", [[0, 1], [1, 4], [2, 9]])
'''
SLOW_SLEEP_S = 2.0
LEASE_S = 2.0


def solution_files() -> dict[str, bytes]:
    return {"app.py": (TOY_LAB / "solution" / "app.py").read_bytes()}


def starter_files() -> dict[str, bytes]:
    return {"app.py": (TOY_LAB / "starter" / "app.py").read_bytes()}


def add_user(app: Flask, email: str, role: str = "learner") -> int:
    with app.app_context():
        return create_user(get_session(), email, email.split("@")[0], PASSWORD, role).id


def logged_in(app: Flask, email: str, role: str = "learner") -> FlaskClient:
    """A test client logged in as a new user `email`."""
    add_user(app, email, role)
    client = app.test_client()
    response = AuthActions(client).login(email)
    assert response.status_code == 302, f"expected login to redirect, got {response.status_code}"
    return client


def submit_as(app: Flask, email: str, lab_id: str, files: dict[str, bytes]) -> int:
    """Submit through the service (as the workspace page does); returns the submission id."""
    from webapp.grading.service import submit

    with app.app_context():
        session = get_session()
        user = session.query(User).filter_by(email=email).one()
        return submit(session, user, lab_id, files).id


def wait_for(app: Flask, submission_id: int, predicate: Callable[[Submission], bool],
             timeout: float = 60, what: str = "the submission to change") -> Submission:
    """Poll the row until `predicate` holds; fail with the row's last state otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            submission = get_session().get(Submission, submission_id)
            assert submission is not None
            if predicate(submission):
                return submission
            state = (submission.status, submission.attempt, submission.verdict)
        if time.monotonic() > deadline:
            pytest.fail(f"expected {what} within {timeout:g}s, last (status, attempt, verdict) "
                        f"was {state}", pytrace=False)
        time.sleep(0.05)


def finished(submission: Submission) -> bool:
    return not submission.in_flight


def records(app: Flask, submission_id: int, attempt: int) -> int:
    """How many check results attempt `attempt` of the submission stored."""
    from webapp.models import CheckRecord

    with app.app_context():
        return get_session().query(CheckRecord).filter_by(
            submission_id=submission_id, attempt=attempt).count()


def mid_grade(app: Flask, submission_id: int, checks_done: int) -> None:
    """Wait until attempt 1 has stored `checks_done` results (the slow check is then running)."""
    wait_for(app, submission_id,
             lambda s: s.attempt == 1 and records(app, submission_id, 1) >= checks_done,
             what=f"attempt 1 to store {checks_done} checks")
