"""The site-wide gradebook (filter, drill-down, CSV), per-check failure rates and regrade,
as an admin sees them: every learner, in a class or not (an instructor's pages cover only
their classes: tests/classes/test_class_instructors.py)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.grading.grading_helpers import (
    add_user,
    finished,
    logged_in,
    solution_files,
    starter_files,
    submit_as,
    wait_for,
)
from tests.webapp.conftest import csrf_token
from webapp.db import get_session
from webapp.grading.gradebook import start_regrade
from webapp.models import ADMIN, GRADED, Submission, User


@pytest.fixture
def instructor(app: Flask) -> FlaskClient:
    """Grace, an admin: an instructor of every class and of learners in none."""
    return logged_in(app, "grace@example.org", ADMIN)


def grade_all(app: Flask, *plan: tuple[str, dict[str, bytes]]) -> list[int]:
    """Submit (email, files) pairs to toy-items and wait for every grade."""
    ids = []
    for email, files in plan:
        ids.append(submit_as(app, email, "toy-items", files))
        wait_for(app, ids[-1], finished, what="the grade to finish")
    return ids


def test_only_instructors_see_the_gradebook_in_the_navigation(instructor, learner) -> None:
    link = 'href="/instructor/gradebook"'
    assert link in instructor.get("/").get_data(as_text=True)
    assert link not in learner.get("/").get_data(as_text=True)


def test_gradebook_shows_best_scores_filters_and_drills_down(app: Flask, instructor,
                                                             pool) -> None:
    add_user(app, "ada@example.org")
    add_user(app, "bob@example.org")
    add_user(app, "cy@example.org")
    ada_first, _, _ = grade_all(app, ("ada@example.org", starter_files()),
                                ("ada@example.org", solution_files()),
                                ("bob@example.org", starter_files()))
    page = instructor.get("/instructor/gradebook?lab=toy-items").get_data(as_text=True)
    assert "/instructor/labs/slow-items/failures" not in page, "the filter shows one lab"
    assert "/instructor/labs/toy-items/failures" in page
    rows = dict(re.findall(r"<th scope=\"row\">(\w+) <span.*?<td><a href=\"[^\"]+\">([^<]+)</a>",
                           page, re.S))
    assert rows == {"ada": "6 / 6", "bob": "1 / 6", "cy": "-"}
    drill = instructor.get("/instructor/gradebook/2/toy-items").get_data(as_text=True)
    assert f'href="/submissions/{ada_first}">#{ada_first}<' in drill
    assert instructor.get(f"/submissions/{ada_first}").status_code == 200
    assert instructor.get("/instructor/gradebook?lab=nope").status_code == 404


def test_gradebook_csv(app: Flask, instructor, pool) -> None:
    add_user(app, "ada@example.org")
    grade_all(app, ("ada@example.org", solution_files()))
    response = instructor.get("/instructor/gradebook.csv?lab=toy-items")
    assert response.mimetype == "text/csv"
    assert 'filename="gradebook-toy-items.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [{"email": "ada@example.org", "name": "ada", "Toy items (lab)": "6",
                     "total": "6", "total_max": "6", "total_percent": "100"}]


def test_failure_rates_rank_the_most_failed_check_first(app: Flask, instructor, pool) -> None:
    add_user(app, "ada@example.org")
    add_user(app, "bob@example.org")
    add_user(app, "cy@example.org")
    grade_all(app, ("ada@example.org", starter_files()), ("ada@example.org", starter_files()),
              ("ada@example.org", starter_files()), ("bob@example.org", starter_files()),
              ("ada@example.org", solution_files()), ("cy@example.org", solution_files()))
    page = instructor.get("/instructor/labs/toy-items/failures").get_data(as_text=True)
    rates = re.findall(r'data-check="(\w+)"><th scope="row">[^<]+</th><td>(\d+) of (\d+)</td>'
                       r"<td>(\d+)%</td><td>(\d+)</td>", page)
    assert rates == [("create_item_returns_201", "2", "3", "67", "0"),
                     ("health_answers", "0", "3", "0", "0"),
                     ("item_can_be_read_back", "0", "3", "0", "2")], \
        "counted per learner (ada failed 3 times, once counted); a check blocked by the " \
        "failed create is not run, not failed"


def test_regrade_reruns_the_current_grader_and_shows_changed_scores(
        app: Flask, instructor, pool, labs_root: Path) -> None:
    add_user(app, "ada@example.org")
    solved, started = grade_all(app, ("ada@example.org", solution_files()),
                                ("ada@example.org", starter_files()))
    checks = labs_root / "toy_items" / "checks.py"
    worth_more = checks.read_text().replace('read back", points=3', 'read back", points=5')
    checks.write_text(worth_more)
    response = instructor.post("/instructor/labs/toy-items/regrades",
                               data={"csrf_token": csrf_token(instructor, "/")})
    assert response.status_code == 303
    for submission_id in (solved, started):
        wait_for(app, submission_id, finished, what="the regrade to finish")
    page = instructor.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 submissions, 1 changed, 0 still grading." in page
    assert re.search(rf"#{solved}</a></th>\s*<td>ada</td>\s*<td>6 \(graded\)</td>\s*"
                     r"<td>8 \(graded\)</td>\s*<td>yes</td>", page)
    assert re.search(rf"#{started}</a></th>\s*<td>ada</td>\s*<td>1 \(graded\)</td>\s*"
                     r"<td>1 \(graded\)</td>\s*<td>no</td>", page)


def test_a_regrade_does_not_use_up_the_learners_in_flight_slots(app: Flask, instructor
                                                                ) -> None:
    add_user(app, "ada@example.org")
    with app.app_context():
        ids = [submit_as(app, "ada@example.org", "toy-items", solution_files()) for _ in "ab"]
        session = get_session()
        session.query(Submission).update({"status": GRADED, "score": 6, "max_score": 6})
        session.commit()
        start_regrade(session, "toy-items", session.query(User).filter_by(role=ADMIN)
                      .one())
        assert {session.get(Submission, i).status for i in ids} == {"queued"}
    submit_as(app, "ada@example.org", "toy-items", solution_files())


def test_learners_cannot_open_instructor_grading_pages_or_regrade(app: Flask) -> None:
    mallory = logged_in(app, "mallory@example.org")
    for path in ("/instructor/gradebook", "/instructor/gradebook.csv",
                 "/instructor/labs/toy-items/failures"):
        assert mallory.get(path).status_code == 403, f"expected 403 for {path}"
    response = mallory.post("/instructor/labs/toy-items/regrades",
                            data={"csrf_token": csrf_token(mallory, "/")})
    assert response.status_code == 403


def test_progress_page_shows_the_best_lab_score(app: Flask, learner, pool) -> None:
    grade_all(app, ("ada@example.org", starter_files()), ("ada@example.org", solution_files()))
    page = learner.get("/progress").get_data(as_text=True)
    assert re.search(r'href="/labs/toy-items/submissions">Toy items</a></th>\s*'
                     r"<td>6 / 6 \(100%\)</td>\s*<td>2</td>", page)
