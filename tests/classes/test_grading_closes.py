"""Grade closes once a learner's deadline has passed in every class of theirs that dates the
lab (late window and extension included): the submission is refused with HTTP 403 before it
is stored or queued, the page says why, and the draft keeps the learner's files. Late work
inside a late window is still taken, and the penalty is shown. Learners in no class are
never refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient

from tests.classes.class_helpers import create_class, post_class_form
from tests.classes.test_class_admin import join, text
from tests.classes.test_class_gradebook import graded
from tests.grading.grading_helpers import logged_in
from tests.webapp.conftest import csrf_token
from webapp.classes.closing import closed
from webapp.classes.cohorts import LabDue
from webapp.classes.deadlines import Deadline
from webapp.db import get_session
from webapp.models import Cohort, Submission, User

DUE = datetime(2026, 12, 4, 23, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DRAFT = "print('my own work, kept')\n"


def due(deadline: Deadline, name: str = "A", extended: bool = False) -> LabDue:
    return LabDue(Cohort(name=name, timezone="UTC"), "toy-items", deadline, extended)


def test_grading_closes_after_the_due_date_when_late_work_is_refused() -> None:
    refusing = [due(Deadline(DUE))]
    assert not closed(refusing, DUE)
    assert closed(refusing, DUE + timedelta(seconds=1))


def test_a_late_window_keeps_grading_open_until_it_ends() -> None:
    window = [due(Deadline(DUE, DUE + 48 * HOUR, 20))]
    assert not closed(window, DUE + 48 * HOUR)
    assert closed(window, DUE + 48 * HOUR + timedelta(seconds=1))


def test_an_extension_moves_the_close() -> None:
    extended = [due(Deadline(DUE).extended_to(DUE + 24 * HOUR), extended=True)]
    assert not closed(extended, DUE + 23 * HOUR)
    assert closed(extended, DUE + 25 * HOUR)


def test_one_class_still_taking_the_lab_keeps_grading_open() -> None:
    both = [due(Deadline(DUE), "A"), due(Deadline(DUE + 24 * HOUR), "B")]
    assert not closed(both, DUE + HOUR), "the submission still counts in class B"
    assert closed(both, DUE + 25 * HOUR)


def test_no_deadline_never_closes() -> None:
    assert not closed([], DUE + 1000 * HOUR)


def refusing_class(instructor: FlaskClient, learner: FlaskClient, late_until: str = "",
                   penalty: str = "") -> int:
    cohort_id, code = create_class(instructor, timezone="UTC")
    join(learner, code)
    response = post_class_form(instructor, cohort_id, "due-dates", "due", lab="toy-items",
                               due_at="2020-01-01T00:00", late_until=late_until,
                               penalty=penalty)
    assert response.status_code == 303
    return cohort_id


def save_draft(client: FlaskClient) -> None:
    response = client.post("/labs/toy-items/draft/file", json={"path": "app.py",
                                                              "content": DRAFT},
                           headers={"X-CSRFToken": csrf_token(client, "/labs/toy-items")})
    assert response.status_code == 200, response.get_data(as_text=True)


def grade(client: FlaskClient, **headers: str):  # type: ignore[no-untyped-def]
    return client.post("/labs/toy-items/grade", headers=headers, data={
        "csrf_token": csrf_token(client, "/labs/toy-items")})


def submissions(app: Flask) -> int:
    with app.app_context():
        return get_session().query(Submission).count()


def test_a_refused_grade_stores_nothing_says_why_on_the_lab_page_and_keeps_the_draft(
        app: Flask, instructor: FlaskClient, learner: FlaskClient) -> None:
    refusing_class(instructor, learner)
    save_draft(learner)
    page = learner.get("/labs/toy-items").get_data(as_text=True)
    assert 'id="grade-closed"' in page and "Grading is closed for this lab" in text(page)
    response = grade(learner)
    assert response.status_code == 403
    said = text(response.get_data(as_text=True))
    assert ("Grading is closed for this lab: Backend 2026 was due Wed 01 Jan 2020, 00:00 UTC "
            "and does not accept late work. Nothing was submitted; your files stay in your "
            "workspace.") in said
    assert 'id="grade-refused"' in response.get_data(as_text=True)
    assert submissions(app) == 0, "nothing stored, nothing queued"
    assert learner.get("/labs/toy-items/draft").get_json()["files"]["app.py"] == DRAFT


def test_the_upload_api_refuses_too_with_a_json_reason(
        app: Flask, instructor: FlaskClient, learner: FlaskClient) -> None:
    refusing_class(instructor, learner)
    response = learner.post("/labs/toy-items/submissions", headers={
        "Accept": "application/json", "X-CSRFToken": csrf_token(learner, "/labs/toy-items")},
        data={"files": [(DRAFT.encode(), "app.py")]}, content_type="multipart/form-data",
        )
    assert response.status_code == 403
    assert "does not accept late work" in response.get_json()["message"]
    assert grade(learner, Accept="application/json").get_json()["status"] == 403
    assert submissions(app) == 0


def test_after_the_late_window_the_refusal_names_it(
        app: Flask, instructor: FlaskClient, learner: FlaskClient) -> None:
    refusing_class(instructor, learner, late_until="2020-01-02T00:00", penalty="10")
    said = text(grade(learner).get_data(as_text=True))
    assert ("Backend 2026 was due Wed 01 Jan 2020, 00:00 UTC and accepted late work until "
            "Thu 02 Jan 2020, 00:00 UTC.") in said
    assert submissions(app) == 0


def test_an_extension_reopens_grading_for_that_learner_only(
        app: Flask, instructor: FlaskClient, learner: FlaskClient) -> None:
    cohort_id = refusing_class(instructor, learner)
    other = logged_in(app, "bob@example.org")
    with app.app_context():
        ada = get_session().query(User).filter_by(email="ada@example.org").one()
        ada_id = ada.id
    post_class_form(instructor, cohort_id, "extensions", "ext", learner=ada_id,
                    lab="toy-items", due_at="2099-01-01T00:00")
    assert grade(learner).status_code == 303
    assert grade(other).status_code == 303, "bob is in no class: never refused"
    assert submissions(app) == 2


def test_late_work_inside_the_window_is_taken_and_its_penalty_shown(
        app: Flask, instructor: FlaskClient, learner: FlaskClient) -> None:
    refusing_class(instructor, learner, late_until="2099-01-01T00:00", penalty="25")
    assert grade(learner).status_code == 303
    with app.app_context():
        ada_id = get_session().query(User).filter_by(email="ada@example.org").one().id
    graded(app, ada_id, datetime.now(UTC), 6)
    page = text(learner.get("/labs/toy-items").get_data(as_text=True))
    assert "was late for Backend 2026: it scores 4.5 / 6 there (25% off)." in page
    assert "Grading is closed" not in page
