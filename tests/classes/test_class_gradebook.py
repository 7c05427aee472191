"""A class's gradebook: quizzes, labs and totals per learner under the class's deadlines
(late penalty, too late, extensions, best or last), its CSV, per-learner failure rates of
its learners, and regrading a class's submissions or one submission."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient

from tests.classes.class_helpers import create_class, post_class_form
from tests.grading.grading_helpers import add_user
from tests.webapp.conftest import csrf_token
from webapp.db import get_session
from webapp.models import GRADED, ChapterProgress, Cohort, Enrollment, Submission

DUE = datetime(2026, 12, 4, 23, 0, tzinfo=UTC)  # 2026-12-05 00:00 in Paris
HOUR = timedelta(hours=1)
MAX_TOTAL = 2 + 7 + 6  # the quiz (2 questions), Slow items (7 points), Toy items (6)


JOINED = datetime(2026, 9, 1, tzinfo=UTC)  # before every submission these tests date


def enrol(app: Flask, cohort_id: int, *emails: str) -> dict[str, int]:
    """Enrol new learners, as having joined on JOINED: only work made in a class counts
    there, and these tests date their submissions."""
    ids = {email: add_user(app, email) for email in emails}
    with app.app_context():
        session = get_session()
        session.add_all(Enrollment(cohort_id=cohort_id, user_id=i, joined_at=JOINED)
                        for i in ids.values())
        session.commit()
    return ids


def graded(app: Flask, user_id: int, at: datetime, score: int, lab: str = "toy-items") -> int:
    """A graded submission made at `at` (the gradebook reads only the stored outcome)."""
    with app.app_context():
        session = get_session()
        row = Submission(user_id=user_id, lab_id=lab, files=b"", status=GRADED, attempt=1,
                         infra_retries=0, verdict="graded", score=score, max_score=6,
                         created_at=at)
        session.add(row)
        session.commit()
        return row.id


def quiz(app: Flask, user_id: int, correct: int) -> None:
    with app.app_context():
        session = get_session()
        session.add(ChapterProgress(user_id=user_id, slug="caching-basics", quiz_attempts=1,
                                    quiz_best_correct=correct, quiz_total=2))
        session.commit()


def class_with_toy_due(instructor: FlaskClient, counts: str = "best") -> int:
    cohort_id, _ = create_class(instructor, timezone="Europe/Paris", counts=counts)
    response = post_class_form(instructor, cohort_id, "due-dates", "due", lab="toy-items",
                               due_at="2026-12-05T00:00", late_until="2026-12-07T00:00",
                               penalty="20")
    assert response.status_code == 303
    return cohort_id


def csv_rows(instructor: FlaskClient, query: str) -> list[dict[str, str]]:
    response = instructor.get(f"/instructor/gradebook.csv?{query}")
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_class_gradebook_applies_the_deadline_and_totals_quizzes_and_labs(
        app: Flask, instructor: FlaskClient) -> None:
    cohort_id = class_with_toy_due(instructor)
    ids = enrol(app, cohort_id, "ada@example.org", "bob@example.org")
    outsider = add_user(app, "cy@example.org")
    graded(app, ids["ada@example.org"], DUE - HOUR, 1)
    graded(app, ids["ada@example.org"], DUE + HOUR, 6)  # late: 6 less 20% = 4.8 beats 1
    graded(app, ids["bob@example.org"], DUE + 60 * HOUR, 6)  # after the late window
    graded(app, ids["bob@example.org"], DUE - HOUR, 3, lab="slow-items")  # no due date
    graded(app, outsider, DUE - HOUR, 6)
    quiz(app, ids["ada@example.org"], 2)

    rows = csv_rows(instructor, f"cohort={cohort_id}")
    assert rows == [
        {"email": "ada@example.org", "name": "ada", "Caching Basics (quiz)": "2",
         "Slow items (lab)": "", "Toy items (lab)": "4.8", "total": "6.8",
         "total_max": str(MAX_TOTAL), "total_percent": "45"},
        {"email": "bob@example.org", "name": "bob", "Caching Basics (quiz)": "",
         "Slow items (lab)": "3", "Toy items (lab)": "", "total": "3",
         "total_max": str(MAX_TOTAL), "total_percent": "20"},
    ], "cy is not in the class; bob's too-late 6 does not count"
    page = instructor.get(f"/instructor/gradebook?cohort={cohort_id}").get_data(as_text=True)
    assert "Caching Basics" in page and "Toy items" in page, "columns are titles, not ids"
    assert "caching-basics <" not in page and ">toy-items<" not in page
    ada_row = re.search(r'data-learner="ada@example.org">(.*?)</tr>', page, re.S).group(1)
    assert "4.8 / 6</a> <span class=\"muted\">(late)</span>" in ada_row
    assert f"6.8 / {MAX_TOTAL} (45%)" in ada_row
    name = response_name(instructor, f"cohort={cohort_id}&lab=toy-items")
    assert name == f"gradebook-class-{cohort_id}-toy-items.csv"


def response_name(instructor: FlaskClient, query: str) -> str:
    disposition = instructor.get(f"/instructor/gradebook.csv?{query}").headers[
        "Content-Disposition"]
    return re.search(r'filename="([^"]+)"', disposition).group(1)


def test_counting_the_last_submission_and_an_extension(app: Flask,
                                                       instructor: FlaskClient) -> None:
    cohort_id = class_with_toy_due(instructor, counts="last")
    ids = enrol(app, cohort_id, "ada@example.org", "bob@example.org")
    graded(app, ids["ada@example.org"], DUE - 2 * HOUR, 6)
    graded(app, ids["ada@example.org"], DUE - HOUR, 2)  # the last on time: it counts
    graded(app, ids["ada@example.org"], DUE + 100 * HOUR, 6)  # too late: ignored
    graded(app, ids["bob@example.org"], DUE + 30 * HOUR, 5)  # late, but he has an extension
    response = post_class_form(instructor, cohort_id, "extensions", "ext",
                               learner=str(ids["bob@example.org"]), lab="toy-items",
                               due_at="2026-12-07T00:00")
    assert response.status_code == 303
    rows = {row["email"]: row["Toy items (lab)"]
            for row in csv_rows(instructor, f"cohort={cohort_id}&lab=toy-items")}
    assert rows == {"ada@example.org": "2", "bob@example.org": "5"}


def ada_taught(app: Flask, instructor: FlaskClient) -> int:
    """Ada, a learner of a class the instructor teaches (without one they would not see her)."""
    cohort_id, _ = create_class(instructor, name="Ada's class")
    return enrol(app, cohort_id, "ada@example.org")["ada@example.org"]


def test_without_a_class_the_best_score_counts_whenever_it_came(
        app: Flask, instructor: FlaskClient) -> None:
    class_with_toy_due(instructor)
    ada = ada_taught(app, instructor)
    graded(app, ada, DUE + 1000 * HOUR, 6)
    rows = csv_rows(instructor, "lab=toy-items")
    assert [(r["email"], r["Toy items (lab)"]) for r in rows] == [("ada@example.org", "6")]


def test_a_class_regrade_queues_only_its_learners_submissions(
        app: Flask, instructor: FlaskClient) -> None:
    cohort_id = class_with_toy_due(instructor)
    ids = enrol(app, cohort_id, "ada@example.org")
    mine = graded(app, ids["ada@example.org"], DUE - HOUR, 6)
    theirs = graded(app, add_user(app, "cy@example.org"), DUE - HOUR, 6)
    response = instructor.post("/instructor/labs/toy-items/regrades", data={
        "csrf_token": csrf_token(instructor, "/"), "cohort": str(cohort_id)})
    assert response.status_code == 303
    with app.app_context():
        session = get_session()
        assert session.get(Submission, mine).status == "queued"
        assert session.get(Submission, theirs).status == GRADED
    page = instructor.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 submission, 0 changed, 1 still grading." in page
    assert 'hx-trigger="every' in page, "a pending regrade's page polls for itself"


def test_one_submission_can_be_regraded_from_the_learners_submissions(
        app: Flask, instructor: FlaskClient) -> None:
    ada = ada_taught(app, instructor)
    first, second = graded(app, ada, DUE, 1), graded(app, ada, DUE + HOUR, 6)
    drill = instructor.get(f"/instructor/gradebook/{ada}/toy-items").get_data(as_text=True)
    assert f"Regrade submission #{first} of ada with the current grader?" in drill
    response = instructor.post(f"/instructor/submissions/{first}/regrade",
                               data={"csrf_token": csrf_token(instructor, "/")})
    assert response.status_code == 303
    with app.app_context():
        session = get_session()
        assert (session.get(Submission, first).status,
                session.get(Submission, second).status) == ("queued", GRADED)
    again = instructor.post(f"/instructor/submissions/{first}/regrade",
                            data={"csrf_token": csrf_token(instructor, "/")})
    assert again.status_code == 409, "a submission already grading is not queued twice"


def test_a_finished_regrade_stops_polling(app: Flask, instructor: FlaskClient) -> None:
    ada = ada_taught(app, instructor)
    submission = graded(app, ada, DUE, 6)
    response = instructor.post(f"/instructor/submissions/{submission}/regrade",
                               data={"csrf_token": csrf_token(instructor, "/")})
    with app.app_context():
        session = get_session()
        session.get(Submission, submission).status = GRADED
        session.commit()
    live = instructor.get(response.headers["Location"] + "/live").get_data(as_text=True)
    assert "0 still grading. Done." in live and "hx-trigger" not in live


def test_failure_rates_of_a_class_count_only_its_learners(app: Flask,
                                                          instructor: FlaskClient) -> None:
    cohort_id = class_with_toy_due(instructor)
    with app.app_context():
        assert get_session().get(Cohort, cohort_id) is not None
    page = instructor.get(f"/instructor/labs/toy-items/failures?cohort={cohort_id}")
    assert page.status_code == 200
    assert "Toy items (Backend 2026)" in page.get_data(as_text=True)
    assert instructor.get("/instructor/labs/toy-items/failures?cohort=999").status_code == 404
