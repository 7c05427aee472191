"""A learner cannot flood the queue, and sees only their own submissions."""

from __future__ import annotations

import io

import pytest
from flask import Flask

from tests.grading.grading_helpers import (
    add_user,
    finished,
    logged_in,
    solution_files,
    submit_as,
    wait_for,
)
from tests.webapp.conftest import csrf_token
from webapp.db import get_session
from webapp.grading.service import TooManyInFlight, submit
from webapp.models import ADMIN, Submission, User


def test_third_in_flight_submission_is_refused_with_429(app: Flask, learner) -> None:
    for _ in range(2):
        submit_as(app, "ada@example.org", "toy-items", solution_files())
    response = learner.post("/labs/toy-items/submissions",
                            data={"csrf_token": csrf_token(learner, "/"),
                                  "files": [(io.BytesIO(b"x"), "app.py")]},
                            content_type="multipart/form-data")
    assert response.status_code == 429
    assert "You already have 2 submissions waiting to be graded (the limit is 2)" in (
        response.get_data(as_text=True))
    with app.app_context():
        assert get_session().query(Submission).count() == 2, "a refused upload stores nothing"


def test_limit_is_per_learner_and_frees_up_when_grades_finish(app: Flask, pool) -> None:
    add_user(app, "ada@example.org")
    add_user(app, "bob@example.org")
    ids = [submit_as(app, "ada@example.org", "toy-items", solution_files()) for _ in range(2)]
    submit_as(app, "bob@example.org", "toy-items", solution_files())
    for submission_id in ids:
        wait_for(app, submission_id, finished)
    submit_as(app, "ada@example.org", "toy-items", solution_files())


def test_service_raises_too_many_in_flight(app: Flask) -> None:
    add_user(app, "ada@example.org")
    with app.app_context():
        session = get_session()
        user = session.query(User).one()
        submit(session, user, "toy-items", solution_files())
        submit(session, user, "toy-items", solution_files())
        with pytest.raises(TooManyInFlight):
            submit(session, user, "toy-items", solution_files())


def test_other_learner_and_an_instructor_not_teaching_her_get_404_an_admin_sees_it(
        app: Flask, learner, instructor) -> None:
    submission_id = submit_as(app, "ada@example.org", "toy-items", solution_files())
    mallory = logged_in(app, "mallory@example.org")
    admin = logged_in(app, "root@example.org", ADMIN)
    for path in (f"/submissions/{submission_id}", f"/submissions/{submission_id}/live"):
        assert mallory.get(path).status_code == 404, f"expected 404 for {path}"
        assert instructor.get(path).status_code == 404, "Ada is in no class Grace teaches"
        assert learner.get(path).status_code == 200
        assert admin.get(path).status_code == 200
    assert f"#{submission_id}<" not in mallory.get("/labs/toy-items/submissions").get_data(
        as_text=True)


def test_anonymous_users_are_sent_to_log_in(app: Flask) -> None:
    add_user(app, "ada@example.org")
    submission_id = submit_as(app, "ada@example.org", "toy-items", solution_files())
    response = app.test_client().get(f"/submissions/{submission_id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
