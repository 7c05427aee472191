"""Per-class instructors: a class is taught by its creator and the co-instructors they add by
email; any other instructor gets 403 on its pages (class page, roster, due dates,
extensions, settings, gradebook, CSV, failure rates, regrades) and cannot see its learners'
work or accounts; an admin teaches every class. The migration gives each existing class its
creator as instructor, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text as sql

from tests.classes.class_helpers import create_class, post_class_form
from tests.classes.test_class_admin import join, text
from tests.classes.test_class_gradebook import enrol, graded
from tests.grading.grading_helpers import add_user, logged_in, solution_files
from tests.webapp.conftest import AuthActions, csrf_token
from webapp.db import get_session, make_engine
from webapp.grading.archive import pack
from webapp.migrate import upgrade
from webapp.models import ADMIN, INSTRUCTOR, ChapterProgress, Submission

DUE = datetime(2026, 12, 4, 23, 0, tzinfo=UTC)


@pytest.fixture
def other(app: Flask) -> FlaskClient:
    """Linus, an instructor who teaches none of Grace's classes."""
    return logged_in(app, "linus@example.org", INSTRUCTOR)


def graces_class(app: Flask, instructor: FlaskClient) -> tuple[int, int, int]:
    """Grace's class with Ada in it and one graded submission of Ada's: (class, Ada, it)."""
    cohort_id, _ = create_class(instructor, name="Grace's class", timezone="UTC")
    post_class_form(instructor, cohort_id, "due-dates", "due", lab="toy-items",
                    due_at="2099-01-01T00:00", late_until="", penalty="")
    ada = enrol(app, cohort_id, "ada@example.org")["ada@example.org"]
    submission = graded(app, ada, DUE, 6)
    with app.app_context():  # real files, for the page that shows them
        get_session().get(Submission, submission).files = pack(solution_files())
        get_session().commit()
    return cohort_id, ada, submission


def class_pages(cohort_id: int, ada: int, submission: int) -> list[str]:
    return [f"/instructor/classes/{cohort_id}",
            f"/instructor/gradebook?cohort={cohort_id}",
            f"/instructor/gradebook.csv?cohort={cohort_id}",
            f"/instructor/labs/toy-items/failures?cohort={cohort_id}",
            f"/instructor/gradebook/{ada}/toy-items"]


def class_posts(client: FlaskClient, cohort_id: int, ada: int, submission: int
                ) -> dict[str, int]:
    """Every way of changing Grace's class or its learners' grades: path -> status."""
    token = csrf_token(client, "/")
    statuses = {
        f"{form}": post_class_form(client, cohort_id, form, prefix, **fields).status_code
        for form, prefix, fields in (
            ("due-dates", "due", {"lab": "toy-items", "due_at": "2020-01-01T00:00"}),
            ("extensions", "ext", {"learner": ada, "lab": "toy-items",
                                   "due_at": "2099-01-01T00:00"}),
            ("settings", "settings", {"name": "Taken", "timezone": "UTC", "counts": "best"}),
            ("instructors", "teacher", {"email": "linus@example.org"}))}
    statuses["regrade class"] = client.post("/instructor/labs/toy-items/regrades", data={
        "csrf_token": token, "cohort": str(cohort_id)}).status_code
    statuses["regrade one"] = client.post(f"/instructor/submissions/{submission}/regrade",
                                          data={"csrf_token": token}).status_code
    statuses["reset link"] = client.post(f"/instructor/accounts/{ada}/password-reset",
                                         data={"csrf_token": token}).status_code
    return statuses


def test_an_instructor_who_does_not_teach_the_class_gets_403_everywhere_in_it(
        app: Flask, instructor: FlaskClient, other: FlaskClient) -> None:
    cohort_id, ada, submission = graces_class(app, instructor)
    assert "Grace&#39;s class" not in other.get("/instructor/classes").get_data(as_text=True)
    for path in class_pages(cohort_id, ada, submission):
        assert other.get(path).status_code == 403, path
    refused = other.get(f"/instructor/classes/{cohort_id}").get_data(as_text=True)
    assert "You do not teach Grace&#39;s class" in refused
    assert set(class_posts(other, cohort_id, ada, submission).values()) == {403}
    for path in (f"/submissions/{submission}", f"/submissions/{submission}/files"):
        assert other.get(path).status_code == 404, f"{path}: her code is not Linus's to read"
    gradebook = other.get("/instructor/gradebook?lab=toy-items").get_data(as_text=True)
    assert "ada@example.org" not in gradebook, "the site-wide gradebook is his learners only"
    assert "ada@example.org" not in other.get("/instructor/accounts").get_data(as_text=True)
    for path in class_pages(cohort_id, ada, submission):
        assert instructor.get(path).status_code == 200, path


def test_a_co_instructor_added_by_email_administers_the_class(
        app: Flask, instructor: FlaskClient, other: FlaskClient) -> None:
    cohort_id, ada, submission = graces_class(app, instructor)
    added = post_class_form(instructor, cohort_id, "instructors", "teacher",
                            email=" Linus@Example.org ")
    assert added.status_code == 303, added.get_data(as_text=True)
    page = text(instructor.get(f"/instructor/classes/{cohort_id}").get_data(as_text=True))
    assert "Instructors (2) grace (grace@example.org)" in page
    assert "linus (linus@example.org)" in page.split("Instructors (2)")[1]
    assert "Grace&#39;s class" in other.get("/instructor/classes").get_data(as_text=True)
    for path in class_pages(cohort_id, ada, submission):
        assert other.get(path).status_code == 200, path
    assert other.get(f"/submissions/{submission}/files").status_code == 200
    statuses = class_posts(other, cohort_id, ada, submission)
    assert statuses.pop("instructors") == 400, "Linus teaches it already"
    assert statuses.pop("reset link") == 200
    assert statuses.pop("regrade one") == 409, "allowed, and queued already by the class's"
    assert set(statuses.values()) == {303}, statuses


def test_a_co_instructor_needs_an_instructor_account(
        app: Flask, instructor: FlaskClient) -> None:
    cohort_id, _, _ = graces_class(app, instructor)
    unknown = post_class_form(instructor, cohort_id, "instructors", "teacher",
                              email="nobody@example.org")
    assert unknown.status_code == 400
    assert "No account has the email nobody@example.org" in unknown.get_data(as_text=True)
    learner = post_class_form(instructor, cohort_id, "instructors", "teacher",
                              email="ada@example.org")
    assert learner.status_code == 400
    assert "ada@example.org is a learner&#39;s account" in learner.get_data(as_text=True)


def test_an_admin_sees_and_administers_every_class(
        app: Flask, instructor: FlaskClient) -> None:
    cohort_id, ada, submission = graces_class(app, instructor)
    admin = logged_in(app, "root@example.org", ADMIN)
    assert "Grace&#39;s class" in admin.get("/instructor/classes").get_data(as_text=True)
    for path in class_pages(cohort_id, ada, submission):
        assert admin.get(path).status_code == 200, path
    assert admin.get(f"/submissions/{submission}/files").status_code == 200
    outsider = logged_in(app, "cy@example.org")
    assert outsider is not None
    listing = admin.get("/instructor/accounts").get_data(as_text=True)
    assert "cy@example.org" in listing, "an admin also sees learners in no class"


def test_an_instructor_without_classes_sees_no_learner(
        app: Flask, other: FlaskClient, learner: FlaskClient) -> None:
    assert "ada@example.org" not in other.get("/instructor/gradebook").get_data(as_text=True)
    assert "ada@example.org" not in other.get("/instructor/accounts").get_data(as_text=True)


def test_a_roster_import_leaves_out_learners_of_other_instructors_classes(
        app: Flask, instructor: FlaskClient, other: FlaskClient) -> None:
    _, ada, submission = graces_class(app, instructor)
    add_user(app, "bo@example.org")  # registered, in no class
    linus_class, code = create_class(other, name="Linus's class", timezone="UTC")
    imported = post_class_form(other, linus_class, "roster", "roster", roster=(io.BytesIO(
        b"ada@example.org,Ada\nbo@example.org,Bo\n"), "roster.csv"))
    assert imported.status_code == 303, imported.get_data(as_text=True)
    flash = text(other.get(imported.headers["Location"]).get_data(as_text=True))
    assert (f"0 accounts created, 1 existing accounts enrolled, 0 already in the class. 1 not "
            f"enrolled, being in classes you do not teach (they join with the code {code}): "
            "ada@example.org.") in flash
    assert other.get(f"/instructor/gradebook/{ada}/toy-items").status_code == 403
    assert other.get(f"/submissions/{submission}").status_code == 404, "still not his to read"

    ada_client = app.test_client()
    AuthActions(ada_client).login("ada@example.org")
    assert join(ada_client, code).status_code == 302, "Ada joins Linus's class herself"
    assert other.get(f"/instructor/gradebook/{ada}/toy-items").status_code == 200
    admin = logged_in(app, "root@example.org", ADMIN)
    admins_class, _ = create_class(admin, name="Admin's class", timezone="UTC")
    by_admin = post_class_form(admin, admins_class, "roster", "roster", roster=(io.BytesIO(
        b"ada@example.org,Ada\n"), "roster.csv"))
    assert "1 existing accounts enrolled" in text(admin.get(by_admin.headers["Location"])
                                                  .get_data(as_text=True))


def completed_chapter_one(app: Flask, *learners: int) -> None:
    with app.app_context():
        session = get_session()
        session.add_all(ChapterProgress(user_id=learner, slug="caching-basics", completed_at=DUE)
                        for learner in learners)
        session.commit()


def dashboard_counts(client: FlaskClient) -> tuple[int, int]:
    """(learners, learners who completed chapter 1) as /instructor/ shows them."""
    page = text(client.get("/instructor/").get_data(as_text=True))
    learners = re.search(r"(\d+) learners", page)
    completed = re.search(r"1 Caching Basics (?:\d+ ){3}(\d+)", page)
    assert learners and completed, page
    return int(learners.group(1)), int(completed.group(1))


def test_the_dashboard_counts_only_the_learners_of_the_instructors_classes(
        app: Flask, instructor: FlaskClient, other: FlaskClient) -> None:
    _, ada, _ = graces_class(app, instructor)
    linus_class, _ = create_class(other, name="Linus's class", timezone="UTC")
    linus_learners = enrol(app, linus_class, "bo@example.org", "cy@example.org")
    completed_chapter_one(app, ada, *linus_learners.values(), add_user(app, "di@example.org"))
    assert dashboard_counts(instructor) == (1, 1), "Grace teaches Ada only"
    assert dashboard_counts(other) == (2, 2), "Linus teaches Bo and Cy"
    admin = logged_in(app, "root@example.org", ADMIN)
    assert dashboard_counts(admin) == (4, 4), "an admin counts Di, in no class, too"


def started_regrade(client: FlaskClient, **form: str) -> int:
    response = client.post("/instructor/labs/toy-items/regrades",
                           data={"csrf_token": csrf_token(client, "/"), **form})
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def regrade_statuses(client: FlaskClient, regrade: int) -> set[int]:
    return {client.get(path).status_code
            for path in (f"/instructor/regrades/{regrade}", f"/instructor/regrades/{regrade}/live")}


def test_a_regrade_is_followed_by_whoever_teaches_every_learner_in_it(
        app: Flask, instructor: FlaskClient, other: FlaskClient) -> None:
    cohort_id, ada, _ = graces_class(app, instructor)
    linus_class, _ = create_class(other, name="Linus's class", timezone="UTC")
    graded(app, enrol(app, linus_class, "bo@example.org")["bo@example.org"], DUE, 3)
    admin = logged_in(app, "root@example.org", ADMIN)
    both = started_regrade(admin)  # Ada's submission and Bo's
    graded(app, ada, DUE, 5)
    graces = started_regrade(instructor, cohort=str(cohort_id))  # Ada's new one
    assert regrade_statuses(other, graces) == {403}, "Linus does not teach Grace's class yet"
    assert regrade_statuses(instructor, both) == {403}, "Bo is not Grace's learner"
    assert regrade_statuses(other, both) == {403}, "nor Ada Linus's"
    assert regrade_statuses(admin, both) == {200}

    added = post_class_form(instructor, cohort_id, "instructors", "teacher",
                            email="linus@example.org")
    assert added.status_code == 303
    assert regrade_statuses(other, graces) == {200}, "a co-instructor follows the class's"
    assert "ada" in text(other.get(f"/instructor/regrades/{graces}").get_data(as_text=True))
    assert regrade_statuses(other, both) == {200}, "Linus teaches Ada and Bo now"
    assert regrade_statuses(instructor, both) == {403}


def migrated_to_0010_with_a_class(url: str) -> None:
    upgrade(url, "0010")
    engine = make_engine(url)
    try:
        with engine.begin() as db:
            db.execute(sql("INSERT INTO users (id, email, display_name, password_hash, role, "
                           "created_at) VALUES (7, 'g@example.org', 'G', '!', 'instructor', "
                           ":at)"), {"at": DUE})
            db.execute(sql("INSERT INTO cohorts (id, name, join_code, timezone, counts, "
                           "created_by, created_at) VALUES (3, 'Old', 'OLDCODE2', 'UTC', "
                           "'best', 7, :at), (4, 'Orphan', 'OLDCODE3', 'UTC', 'best', NULL, "
                           ":at)"), {"at": DUE})
    finally:
        engine.dispose()


def instructors_after_upgrade(url: str) -> list[tuple[int, int]]:
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as db:
            return [tuple(row) for row in db.execute(
                sql("SELECT cohort_id, user_id FROM cohort_instructors"))]
    finally:
        engine.dispose()


def test_the_migration_makes_each_creator_the_instructor_of_their_class_on_sqlite(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    migrated_to_0010_with_a_class(url)
    assert instructors_after_upgrade(url) == [(3, 7)]


@pytest.mark.postgres
def test_the_migration_makes_each_creator_the_instructor_of_their_class_on_postgres(
        postgres_url: str) -> None:
    migrated_to_0010_with_a_class(postgres_url)
    assert instructors_after_upgrade(postgres_url) == [(3, 7)]
