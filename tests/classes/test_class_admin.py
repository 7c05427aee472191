"""Class administration over HTTP: create a class, join it by code, due dates typed on the
class's clock and stored in UTC, extensions, and what learners see of them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient

from tests.classes.class_helpers import create_class, post_class_form
from tests.grading.grading_helpers import add_user, logged_in
from tests.webapp.conftest import csrf_token
from webapp.db import get_session
from webapp.models import DueDate, Enrollment, Extension


def join(client: FlaskClient, code: str):  # type: ignore[no-untyped-def]
    return client.post("/classes/join", data={"csrf_token": csrf_token(client, "/classes/join"),
                                              "code": code})


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_an_instructor_creates_a_class_and_a_learner_joins_by_its_code(
        app: Flask, instructor: FlaskClient, learner: FlaskClient) -> None:
    cohort_id, code = create_class(instructor)
    assert re.fullmatch(r"[A-Z2-9]{8}", code)
    listing = instructor.get("/instructor/classes").get_data(as_text=True)
    assert f"<code>{code}</code>" in listing
    response = join(learner, f" {code[:4].lower()} {code[4:]} ")  # typed loosely
    assert response.status_code == 302
    assert "You joined Backend 2026" in learner.get("/").get_data(as_text=True)
    assert join(learner, code).status_code == 302, "joining twice is harmless"
    with app.app_context():
        assert get_session().query(Enrollment).filter_by(cohort_id=cohort_id).count() == 1
    roster = instructor.get(f"/instructor/classes/{cohort_id}").get_data(as_text=True)
    assert "Learners (1)" in roster and "ada@example.org" in roster


def test_a_wrong_join_code_is_refused_with_a_reason(learner: FlaskClient) -> None:
    response = join(learner, "NOPE2345")
    assert response.status_code == 400
    assert "No class has this join code" in response.get_data(as_text=True)


def test_a_class_needs_a_real_timezone(instructor: FlaskClient) -> None:
    response = instructor.post("/instructor/classes", data={
        "csrf_token": csrf_token(instructor, "/instructor/classes"), "name": "X",
        "timezone": "Mars/Olympus", "counts": "best"})
    assert response.status_code == 400
    assert "Unknown timezone &#39;Mars/Olympus&#39;" in response.get_data(as_text=True)


def test_a_due_date_is_typed_on_the_class_clock_stored_in_utc_and_shown_to_learners(
        app: Flask, instructor: FlaskClient, learner: FlaskClient) -> None:
    cohort_id, code = create_class(instructor, timezone="Europe/Paris")
    join(learner, code)
    response = post_class_form(instructor, cohort_id, "due-dates", "due", lab="toy-items",
                               due_at="2026-12-05T00:00", late_until="2026-12-07T00:00",
                               penalty="20")
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        due = get_session().query(DueDate).one()
        assert due.due_at.replace(tzinfo=UTC) == datetime(2026, 12, 4, 23, 0, tzinfo=UTC)
        assert due.late_penalty_percent == 20
    workspace = text(learner.get("/labs/toy-items").get_data(as_text=True))
    assert ("Backend 2026: Due Sat 05 Dec 2026, 00:00 CET Late work is accepted until "
            "Mon 07 Dec 2026, 00:00 CET with 20% off. Counts: your best score before the "
            "deadline.") in workspace
    home = text(learner.get("/").get_data(as_text=True))
    assert "Toy items (Backend 2026): Due Sat 05 Dec 2026, 00:00 CET" in home
    other = logged_in(app, "bob@example.org")
    assert "Due Sat" not in other.get("/labs/toy-items").get_data(as_text=True), \
        "a learner outside the class has no due date"


def test_late_work_refused_and_last_submission_counting_are_said(
        instructor: FlaskClient, learner: FlaskClient) -> None:
    cohort_id, code = create_class(instructor, timezone="America/New_York", counts="last")
    join(learner, code)
    post_class_form(instructor, cohort_id, "due-dates", "due", lab="toy-items",
                    due_at="2026-12-04T17:00", late_until="", penalty="")
    workspace = text(learner.get("/labs/toy-items").get_data(as_text=True))
    assert ("Due Fri 04 Dec 2026, 17:00 EST Late work is not accepted. Counts: your last "
            "submission before the deadline.") in workspace


def test_learners_are_told_when_a_submission_now_is_late_or_does_not_count(
        instructor: FlaskClient, learner: FlaskClient) -> None:
    cohort_id, code = create_class(instructor, timezone="UTC")
    join(learner, code)
    post_class_form(instructor, cohort_id, "due-dates", "due", lab="toy-items",
                    due_at="2099-01-01T00:00", late_until="", penalty="")
    assert "has passed" not in learner.get("/labs/toy-items").get_data(as_text=True)
    post_class_form(instructor, cohort_id, "due-dates", "due", lab="toy-items",
                    due_at="2020-01-01T00:00", late_until="2099-01-01T00:00", penalty="30")
    assert ("The due date has passed: a submission now is late (30% off)."
            in text(learner.get("/labs/toy-items").get_data(as_text=True)))
    post_class_form(instructor, cohort_id, "due-dates", "due", lab="toy-items",
                    due_at="2020-01-01T00:00", late_until="2099-01-01T00:00", penalty="0")
    workspace = text(learner.get("/labs/toy-items").get_data(as_text=True))
    assert ("Late work is accepted until Thu 01 Jan 2099, 00:00 UTC with no penalty. "
            in workspace and "a submission now is late (no penalty)." in workspace
            and "0% off" not in workspace)
    post_class_form(instructor, cohort_id, "due-dates", "due", lab="toy-items",
                    due_at="2020-01-01T00:00", late_until="", penalty="")
    assert ("The deadline has passed: this class takes no more submissions of this lab."
            in text(learner.get("/").get_data(as_text=True)))


def test_a_due_date_whose_late_window_ends_first_is_refused(
        app: Flask, instructor: FlaskClient) -> None:
    cohort_id, _ = create_class(instructor)
    response = post_class_form(instructor, cohort_id, "due-dates", "due", lab="toy-items",
                               due_at="2026-12-05T00:00", late_until="2026-12-04T00:00",
                               penalty="10")
    assert response.status_code == 400
    assert "Late work cannot end before the due date." in response.get_data(as_text=True)
    with app.app_context():
        assert get_session().query(DueDate).count() == 0


def test_an_extension_gives_one_learner_their_own_due_date(
        app: Flask, instructor: FlaskClient, learner: FlaskClient) -> None:
    cohort_id, code = create_class(instructor, timezone="UTC")
    join(learner, code)
    bob = logged_in(app, "bob@example.org")
    join(bob, code)
    post_class_form(instructor, cohort_id, "due-dates", "due", lab="toy-items",
                    due_at="2026-12-04T12:00", late_until="2026-12-05T12:00", penalty="50")
    with app.app_context():
        ada_id = get_session().query(Enrollment).filter_by(cohort_id=cohort_id).first().user_id
    response = post_class_form(instructor, cohort_id, "extensions", "ext", learner=str(ada_id),
                               lab="toy-items", due_at="2026-12-06T12:00")
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        assert get_session().query(Extension).count() == 1
    mine = text(learner.get("/labs/toy-items").get_data(as_text=True))
    assert ("Due Sun 06 Dec 2026, 12:00 UTC (your extension) Late work is accepted until "
            "Mon 07 Dec 2026, 12:00 UTC with 50% off.") in mine
    theirs = text(bob.get("/labs/toy-items").get_data(as_text=True))
    assert "Due Fri 04 Dec 2026, 12:00 UTC Late" in theirs


def test_an_extension_is_only_for_a_learner_of_the_class(
        app: Flask, instructor: FlaskClient) -> None:
    cohort_id, _ = create_class(instructor)
    outsider = add_user(app, "eve@example.org")
    post_class_form(instructor, cohort_id, "due-dates", "due", lab="toy-items",
                    due_at="2026-12-04T12:00", late_until="", penalty="")
    response = post_class_form(instructor, cohort_id, "extensions", "ext",
                               learner=str(outsider), lab="toy-items", due_at="2026-12-06T12:00")
    assert response.status_code == 400
    with app.app_context():
        assert get_session().query(Extension).count() == 0


def test_learners_cannot_administer_classes(app: Flask, instructor: FlaskClient,
                                            learner: FlaskClient) -> None:
    cohort_id, _ = create_class(instructor)
    for path in ("/instructor/classes", f"/instructor/classes/{cohort_id}"):
        assert learner.get(path).status_code == 403
    response = post_class_form(learner, cohort_id, "due-dates", "due", lab="toy-items",
                               due_at="2026-12-04T12:00")
    assert response.status_code == 403
