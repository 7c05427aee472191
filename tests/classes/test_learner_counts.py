"""What a learner reads as counting in their class (lab page, their submissions of the lab
and the course home) is the very cell their instructor's gradebook holds for them: same
submission, same score after the late penalty, under the class's deadline, late rule, the
learner's extension and the rule of which submission counts; work from before joining counts
nowhere but in their personal best, which stays shown, labelled as such. Reading it costs a
bounded number of queries."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from tests.classes.class_helpers import create_class, post_class_form
from tests.classes.test_class_gradebook import DUE, HOUR, csv_rows, graded
from tests.grading.grading_helpers import add_user, logged_in
from tests.webapp.conftest import AuthActions
from webapp.db import get_session
from webapp.grading.counting import counts_for
from webapp.models import Cohort, Enrollment, User

DAY = timedelta(days=1)
JOINED = DUE - 5 * DAY
TOYS_CHAPTER = ("---\ntitle: Toys\norder: 1\nlab: toy-items\nminutes: 5\nsummary: Toys.\n"
                "objectives: [Store items]\n---\nItems over HTTP.\n")


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path, labs_root: Path,
        monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The grading suite's app with one chapter, whose lab is the toy lab (the course home
    lists a chapter's lab from ARCHLAB_LABS_ROOT)."""
    monkeypatch.setenv("ARCHLAB_LABS_ROOT", str(labs_root))
    content = tmp_path / "content"
    content.mkdir()
    (content / "01-toys.md").write_text(TOYS_CHAPTER)
    return make_app(CONTENT_DIR=content)


def join(app: Flask, cohort_id: int, user_id: int) -> None:
    with app.app_context():
        get_session().add(Enrollment(cohort_id=cohort_id, user_id=user_id, joined_at=JOINED))
        get_session().commit()


def class_with_extension(app: Flask, instructor: FlaskClient, counts: str, ada: int,
                         *others: int) -> int:
    """Ada (and `others`) joined on JOINED a class where Toy items is due 2026-12-05 00:00 in
    Paris (DUE), late work accepted until two days later at 25% off; Ada's own due date is
    one day later, so her late window ends at DUE + 3 days."""
    cohort_id, _ = create_class(instructor, timezone="Europe/Paris", counts=counts)
    for learner in (ada, *others):
        join(app, cohort_id, learner)
    assert post_class_form(instructor, cohort_id, "due-dates", "due", lab="toy-items",
                           due_at="2026-12-05T00:00", late_until="2026-12-07T00:00",
                           penalty="25").status_code == 303
    assert post_class_form(instructor, cohort_id, "extensions", "ext", learner=str(ada),
                           lab="toy-items", due_at="2026-12-06T00:00").status_code == 303
    return cohort_id


def class_counts(page: str) -> list[str]:
    """The "Counts in ..." / "Nothing counts yet in ..." lines of a learner's page, as read."""
    return [" ".join(unescape(re.sub(r"<[^>]+>", "", span)).split())
            for span in re.findall(r'<span class="class-count"[^>]*>(.*?)</span>', page, re.S)]


def gradebook_cell(instructor: FlaskClient, cohort_id: int, email: str) -> str:
    """The learner's Toy items cell of the class gradebook page, as read."""
    page = instructor.get(f"/instructor/gradebook?cohort={cohort_id}&lab=toy-items"
                          ).get_data(as_text=True)
    row = re.search(rf'data-learner="{re.escape(email)}">(.*?)</tr>', page, re.S).group(1)
    cell = re.findall(r"<td>(.*?)</td>", row, re.S)[0]
    return " ".join(re.sub(r"<[^>]+>", "", cell).split())


@pytest.mark.parametrize(("counts", "counted", "late"), [
    ("best", "on time", False),  # 5 on time beats the late 6 at 25% off (4.5)
    ("last", "late", True),      # the last one her deadline accepts: the late 6, 4.5
])
def test_the_learners_counted_score_is_their_gradebook_cell(
        app: Flask, instructor: FlaskClient, counts: str, counted: str, late: bool) -> None:
    learner = logged_in(app, "ada@example.org")
    with app.app_context():
        ada = get_session().scalar(select(User.id).where(User.email == "ada@example.org"))
    bob = add_user(app, "bob@example.org")
    cohort_id = class_with_extension(app, instructor, counts, ada, bob)
    graded(app, ada, JOINED - DAY, 6)  # before she joined: her best, but no class's work
    submissions = {"on time": graded(app, ada, DUE - HOUR, 5),
                   "late": graded(app, ada, DUE + 50 * HOUR, 6)}  # too late but for her extension
    graded(app, ada, DUE + 80 * HOUR, 6)  # after even her late window
    graded(app, bob, JOINED - DAY, 6)  # before he joined
    graded(app, bob, DUE + 50 * HOUR, 6)  # too late for him: no extension

    score = "4.5" if late else "5"
    cell = gradebook_cell(instructor, cohort_id, "ada@example.org")
    assert cell == f"{score} / 6" + (" (late)" if late else "")
    rows = {row["email"]: row["Toy items (lab)"]
            for row in csv_rows(instructor, f"cohort={cohort_id}&lab=toy-items")}
    assert rows == {"ada@example.org": score, "bob@example.org": ""}

    expected = (f"Counts in Backend 2026: {score} / 6 — submission #{submissions[counted]}"
                + (" (late, 25% off)" if late else ""))
    lab_page = learner.get("/labs/toy-items").get_data(as_text=True)
    assert class_counts(lab_page) == [expected]
    assert f'href="/submissions/{submissions[counted]}"' in lab_page
    assert "Your best, any time and any class: 6 / 6 (100%)" in lab_page
    history = learner.get("/labs/toy-items/submissions").get_data(as_text=True)
    assert class_counts(history) == [expected]
    assert "Your best score, any time and any class: <strong>6 / 6</strong>" in history
    home = learner.get("/").get_data(as_text=True)
    assert class_counts(home) == [expected]
    assert "your best, any time: 6 / 6 (100%)" in home
    progress = learner.get("/progress").get_data(as_text=True)
    lab_rows = dict(re.findall(r'<tr>\s*<th scope="row"><a [^>]*>([^<]+)</a></th>(.*?)</tr>',
                               progress, re.S))
    assert class_counts(lab_rows["Toy items"]) == [expected]
    assert class_counts(lab_rows["Slow items"]) == ["Nothing counts yet in Backend 2026"]
    assert "Labs: your best scores (any time) and what counts in your classes" in progress

    bob_client = app.test_client()
    AuthActions(bob_client).login("bob@example.org")
    assert class_counts(bob_client.get("/labs/toy-items").get_data(as_text=True)) == [
        "Nothing counts yet in Backend 2026"]
    assert gradebook_cell(instructor, cohort_id, "bob@example.org") == "-"


def test_a_lab_counts_only_in_the_classes_that_assign_it(
        app: Flask, instructor: FlaskClient) -> None:
    """A lab one class of the learner dates is that class's alone; a lab none dates is every
    class's (visibility.class_work), on the learner's pages as in the gradebooks."""
    learner = logged_in(app, "ada@example.org")
    with app.app_context():
        ada = get_session().scalar(select(User.id).where(User.email == "ada@example.org"))
    class_with_extension(app, instructor, "best", ada)
    other, _ = create_class(instructor, name="Evening class", timezone="UTC")
    join(app, other, ada)
    submission = graded(app, ada, DUE - HOUR, 5)
    slow = graded(app, ada, DUE - HOUR, 3, lab="slow-items")
    assert class_counts(learner.get("/labs/toy-items").get_data(as_text=True)) == [
        f"Counts in Backend 2026: 5 / 6 — submission #{submission}"]
    assert gradebook_cell(instructor, other, "ada@example.org") == "-"
    assert class_counts(learner.get("/labs/slow-items").get_data(as_text=True)) == [
        f"Counts in Backend 2026: 3 / 6 — submission #{slow}",
        f"Counts in Evening class: 3 / 6 — submission #{slow}"]


def test_reading_what_counts_costs_one_query_per_class_whatever_the_labs(
        app: Flask, instructor: FlaskClient) -> None:
    ada = add_user(app, "ada@example.org")
    class_with_extension(app, instructor, "best", ada)
    graded(app, ada, DUE - HOUR, 5)
    with app.app_context():
        session = get_session()
        user = session.get(User, ada)
        statements: list[str] = []
        engine = session.get_bind()
        listener = lambda *args: statements.append(args[2])  # noqa: E731 - the statement
        event.listen(engine, "before_cursor_execute", listener)
        try:
            def cost(lab_ids: list[str]) -> int:
                session.expire_all()  # the classes are read again, not from the session
                session.refresh(user)
                statements.clear()
                counts_for(session, user, lab_ids)
                return len(statements)

            one_lab = cost(["toy-items"])
            labs = cost(["toy-items", "slow-items", "rest-api", "url-shortener"])
            for name in ("Second", "Third"):
                cohort_id, _ = create_class(instructor, name=name, timezone="UTC")
                session.add(Enrollment(cohort_id=cohort_id, user_id=ada, joined_at=JOINED))
            session.commit()
            three_classes = cost(["toy-items", "slow-items", "rest-api", "url-shortener"])
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert session.scalar(select(Cohort.id).where(Cohort.name == "Third")) is not None
    assert one_lab == labs, "more labs, same queries"
    assert three_classes == labs + 2, "one query more per class, not per class and lab"
    assert labs == 4, "the classes, their due dates and extensions, then their work"
