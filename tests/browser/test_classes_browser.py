"""Classes in Chromium, end to end on the real pages: an instructor creates a class and sets
a due date on its clock, a learner joins by the code and sees the due date on the lab and the
course home, the class gradebook names quizzes and labs by title with totals, and a regrade
asks first, then its page updates by itself until every submission is graded again; once a
refused deadline passes, Grade on the open lab page is refused (403) and the files stay; and
another instructor sees a class (and its learners' code) only once added to it by email."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.grading.grading_helpers import (
    PASSWORD,
    add_user,
    finished,
    solution_files,
    submit_as,
    wait_for,
)
from tests.security.conftest import TOY, learner_sandboxes, security_app
from tests.support.chromium import browser, log_in, page  # noqa: F401 - fixtures used below
from tests.support.webapp_server import serving
from webapp.auth.forms import PASSWORD_RULE
from webapp.classes.cohorts import enrol
from webapp.db import get_session
from webapp.grading.archive import pack
from webapp.grading.pool import EmbeddedPool
from webapp.models import GRADED, INSTRUCTOR, Cohort, Submission, User

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ADA, GRACE, LIN = "ada@example.org", "grace@example.org", "lin@example.org"
LINUS = "linus@example.org"
MIA, KIM = "mia@example.org", "kim@example.org"
REST, REST_TITLE = "rest-api", "Users and orders: a REST API"


@dataclass
class Served:
    url: str
    submission: int
    app: Flask


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The site with production defaults and a grading pool; Ada has one graded submission."""
    with learner_sandboxes():
        app = security_app(tmp_path_factory.mktemp("classes"), TESTING=False,
                           SESSION_COOKIE_SECURE=False)
        add_user(app, ADA)
        add_user(app, GRACE, INSTRUCTOR)
        add_user(app, LIN)
        add_user(app, LINUS, INSTRUCTOR)
        add_user(app, MIA)
        add_user(app, KIM)
        pool = EmbeddedPool(app, workers=1).start()
        try:
            submission = submit_as(app, ADA, TOY, solution_files())
            wait_for(app, submission, finished, what="Ada's grade")
            with serving(app) as url:
                yield Served(url, submission, app)
        finally:
            pool.stop()


def as_user(browser: Any, url: str, email: str) -> Any:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    log_in(tab, url, email, PASSWORD)
    return tab


def test_a_class_from_creation_to_regrade(served: Served, browser) -> None:  # noqa: F811
    grace = as_user(browser, served.url, GRACE)
    grace.goto(f"{served.url}/instructor/")
    grace.get_by_role("link", name="Classes").click()
    grace.get_by_label("Class name").fill("Backend 2026")
    grace.get_by_label("Timezone (IANA name)").fill("Europe/Paris")
    grace.get_by_label("Which submission counts").select_option("best")
    grace.get_by_role("button", name="Create the class").click()
    grace.get_by_role("heading", name="Backend 2026").wait_for()
    code = grace.locator(".join-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{8}", code)

    grace.get_by_label("Lab", exact=True).select_option(label="Toy items")
    grace.get_by_label("Due", exact=True).fill("2026-12-05T00:00")
    grace.get_by_label("Late work accepted until (empty: refused)").fill("2026-12-07T00:00")
    grace.get_by_label("Late penalty (percent)").fill("20")
    grace.get_by_role("button", name="Save the due date").click()
    row = grace.locator('.due-dates tr[data-lab="toy-items"]')
    assert "Sat 05 Dec 2026, 00:00 CET" in row.inner_text()

    ada = as_user(browser, served.url, ADA)
    ada.get_by_role("link", name="Join a class").click()
    ada.get_by_label("Join code").fill(code.lower())
    ada.get_by_role("button", name="Join").click()
    ada.wait_for_url(f"{served.url}/")
    assert "You joined Backend 2026" in ada.locator(".flash").inner_text()
    home_due = " ".join(ada.locator(".due-list .lab-due").inner_text().split())
    assert "Toy items (Backend 2026): Due Sat 05 Dec 2026, 00:00 CET" in home_due
    ada.locator(".due-list a", has_text="Toy items").click()
    lab_due = " ".join(ada.locator(".lab-side .lab-due").inner_text().split())
    assert "Due Sat 05 Dec 2026, 00:00 CET" in lab_due
    assert "with 20% off" in lab_due and "your best score before the deadline" in lab_due
    # only work made in the class counts there: the grade from before she joined does not
    joined = submit_as(served.app, ADA, TOY, solution_files())
    wait_for(served.app, joined, finished, what="Ada's grade in the class")

    grace.goto(f"{served.url}/instructor/gradebook")
    grace.locator("select[name=cohort]").select_option(label="Backend 2026")
    grace.get_by_role("button", name="Show").click()
    grace.get_by_role("heading", name="Gradebook: Backend 2026").wait_for()
    headers = grace.locator(".gradebook thead th").all_inner_texts()
    assert any(h.startswith("Toy items") for h in headers), headers
    assert not any(h.startswith("toy-items") for h in headers), "titles, not ids"
    ada_row = grace.locator('.gradebook tr[data-learner="ada@example.org"]')
    assert ada_row.locator("td.total").inner_text().startswith("6 / ")

    asked: list[str] = []
    grace.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    grace.get_by_role("button", name="Regrade Toy items for Backend 2026").click()
    grace.wait_for_timeout(300)
    assert asked and "Regrade every submission of Toy items by the learners of Backend 2026" \
        in asked[0]
    assert "/instructor/gradebook" in grace.url, "declining the question regrades nothing"

    grace.once("dialog", lambda dialog: dialog.accept())
    grace.get_by_role("button", name="Regrade Toy items for Backend 2026").click()
    grace.wait_for_url(re.compile(r"/instructor/regrades/\d+$"))
    summary = grace.locator(".regrade-summary")
    assert "1 submission" in summary.inner_text()
    summary.filter(has_text="Done.").wait_for(timeout=60_000)  # no reload: the page polls
    assert "0 still grading" in summary.inner_text()
    assert grace.locator(".regrade tbody td").nth(2).inner_text().startswith("6 (graded)")
    for tab in (grace, ada):
        tab.context.close()


def set_toy_due(grace: Any, due_at: str) -> None:
    """Set Toy items' due date on the open class page, late work refused."""
    grace.get_by_label("Lab", exact=True).select_option(label="Toy items")
    grace.get_by_label("Due", exact=True).fill(due_at)
    grace.get_by_label("Late work accepted until (empty: refused)").fill("")
    grace.get_by_role("button", name="Save the due date").click()
    grace.locator('.due-dates tr[data-lab="toy-items"]').wait_for()


def graces_new_class(browser: Any, served: Served, name: str,  # noqa: F811
                     email: str = GRACE) -> Any:
    """Grace's (or `email`'s) tab on the page of a class just created on the classes page."""
    tab = as_user(browser, served.url, email)
    tab.goto(f"{served.url}/instructor/classes")
    tab.get_by_label("Class name").fill(name)
    tab.get_by_label("Timezone (IANA name)").fill("UTC")
    tab.get_by_role("button", name="Create the class").click()
    tab.get_by_role("heading", name=name).wait_for()
    return tab


def test_grade_refuses_work_past_a_refused_deadline_and_keeps_the_files(
        served: Served, browser) -> None:  # noqa: F811
    grace = graces_new_class(browser, served, "Closing 2026")
    code = grace.locator(".join-code").inner_text()
    set_toy_due(grace, "2099-01-01T00:00")

    lin = as_user(browser, served.url, LIN)
    lin.goto(f"{served.url}/classes/join?code={code}")
    lin.get_by_role("button", name="Join").click()
    lin.wait_for_url(f"{served.url}/")
    lin.goto(f"{served.url}/labs/toy-items")
    lin.locator("#file-list button.current").wait_for()
    assert lin.locator("#grade-closed").count() == 0, "open until the due date"
    lin.locator(".cm-content").click()
    lin.keyboard.press("Control+End")
    lin.keyboard.type("\n# Lin was here\n")

    set_toy_due(grace, "2020-01-01T00:00")  # the deadline passes while Lin's page is open
    with lin.expect_navigation() as navigation:
        lin.get_by_role("button", name="Grade").click()
    assert navigation.value.status == 403
    refused = " ".join(lin.locator("#grade-refused").inner_text().split())
    assert refused == ("Grading is closed for this lab: Closing 2026 was due Wed 01 Jan 2020, "
                       "00:00 UTC and does not accept late work. Nothing was submitted; your "
                       "files stay in your workspace.")
    assert lin.get_by_role("alert").filter(has_text="Grading is closed").is_visible()
    with served.app.app_context():
        lin_id = get_session().query(User).filter_by(email=LIN).one().id
        assert get_session().query(Submission).filter_by(user_id=lin_id).count() == 0

    lin.goto(f"{served.url}/labs/toy-items")
    lin.locator("#file-list button.current").wait_for()
    lin.locator(".cm-content", has_text="# Lin was here").wait_for()
    assert "Grading is closed for this lab" in lin.locator("#grade-closed").inner_text()
    assert "this class takes no more submissions" in lin.locator(".lab-due").inner_text()
    for tab in (grace, lin):
        tab.context.close()


def test_another_instructor_sees_a_class_only_once_added_to_it(
        served: Served, browser) -> None:  # noqa: F811
    grace = graces_new_class(browser, served, "Shared 2026")
    set_toy_due(grace, "2099-01-01T00:00")  # Ada's toy work is this class's too
    class_url = grace.url
    with served.app.app_context():
        session = get_session()
        cohort = session.scalars(select(Cohort).where(Cohort.name == "Shared 2026")).one()
        enrol(session, cohort, session.scalars(select(User).where(User.email == ADA)).one())
        session.commit()
    in_class = graded_row(served.app, ADA, TOY)  # made in the class: the class's work
    submission_url = f"{served.url}/submissions/{in_class}"

    linus = as_user(browser, served.url, LINUS)
    linus.goto(f"{served.url}/instructor/classes")
    assert "Shared 2026" not in linus.locator("main").inner_text()
    assert linus.goto(class_url).status == 403
    assert "You do not teach Shared 2026" in linus.locator("main").inner_text()
    assert linus.goto(submission_url).status == 404, "Ada's code is not his to read"

    grace.get_by_label("Co-instructor's email").fill(LINUS)
    grace.get_by_role("button", name="Add the co-instructor").click()
    assert "teaches Shared 2026 now" in grace.locator(".flash").inner_text()
    assert LINUS in grace.locator(".instructors").inner_text()

    linus.goto(f"{served.url}/instructor/classes")
    linus.get_by_role("link", name="Shared 2026").click()
    linus.get_by_role("heading", name="Shared 2026").wait_for()
    assert ADA in linus.locator(".roster").inner_text()
    linus.goto(f"{served.url}/instructor/gradebook")
    linus.locator("select[name=cohort]").select_option(label="Shared 2026")
    linus.get_by_role("button", name="Show").click()
    linus.locator(f'.gradebook tr[data-learner="{ADA}"]').wait_for()
    assert linus.goto(submission_url).status == 200
    assert linus.goto(f"{served.url}/submissions/{served.submission}").status == 404, \
        "made before Ada joined: no class's work"
    for tab in (grace, linus):
        tab.context.close()


def graded_row(app: Flask, email: str, lab: str, score: int = 4) -> int:
    """A graded submission of `email`'s made now, with code that names it (the pages read the
    stored outcome and files)."""
    with app.app_context():
        session = get_session()
        user = session.scalars(select(User).where(User.email == email)).one()
        row = Submission(user_id=user.id, lab_id=lab, status=GRADED, attempt=1,
                         infra_retries=0, verdict="graded", score=score, max_score=6,
                         files=pack({"app.py": f"# {email} {lab}\n".encode()}))
        session.add(row)
        session.commit()
        return row.id


def class_dating(browser: Any, served: Served, email: str, name: str,  # noqa: F811
                 lab_label: str, code_of: list[str]) -> Any:
    """`email`'s tab on the page of a new class of theirs that dates `lab_label`."""
    tab = graces_new_class(browser, served, name, email)
    code_of.append(tab.locator(".join-code").inner_text())
    tab.get_by_label("Lab", exact=True).select_option(label=lab_label)
    tab.get_by_label("Due", exact=True).fill("2099-01-01T00:00")
    tab.get_by_role("button", name="Save the due date").click()
    tab.locator(".due-dates tr").first.wait_for()
    return tab


def test_a_learner_in_two_classes_shows_each_instructor_only_their_classs_work(
        served: Served, browser) -> None:  # noqa: F811
    codes: list[str] = []
    grace = class_dating(browser, served, GRACE, "Toys 2027", "Toy items", codes)
    linus = class_dating(browser, served, LINUS, "APIs 2027", REST_TITLE, codes)
    mia = as_user(browser, served.url, MIA)
    for code in codes:
        mia.goto(f"{served.url}/classes/join?code={code}")
        mia.get_by_role("button", name="Join").click()
        mia.wait_for_url(f"{served.url}/")
    toy, rest = graded_row(served.app, MIA, TOY, 5), graded_row(served.app, MIA, REST, 3)
    with served.app.app_context():
        mia_id = get_session().scalars(select(User.id).where(User.email == MIA)).one()

    grace.goto(f"{served.url}/instructor/gradebook")
    row = grace.locator(f'.gradebook tr[data-learner="{MIA}"]')
    assert row.locator(f'a[href$="/{mia_id}/{TOY}"]').inner_text() == "5 / 6"
    assert row.locator(f'a[href$="/{mia_id}/{REST}"]').inner_text() == "-", \
        "her REST API work is for Linus's class"
    with grace.expect_download() as download:
        grace.get_by_role("link", name="Download CSV").click()
    sheet = csv.DictReader(io.StringIO(Path(download.value.path()).read_text()))
    [mine] = [line for line in sheet if line["email"] == MIA]
    assert (mine["Toy items (lab)"], mine[f"{REST_TITLE} (lab)"]) == ("5", ""), mine
    row.locator(f'a[href$="/{mia_id}/{REST}"]').click()
    assert "No submissions yet." in grace.locator("main").inner_text()
    grace.go_back()
    row.locator(f'a[href$="/{mia_id}/{TOY}"]').click()
    grace.get_by_role("link", name="files and changes").click()
    assert f"# {MIA} {TOY}" in grace.locator(".submitted-file").inner_text()
    for path in (f"/submissions/{rest}", f"/submissions/{rest}/files"):
        assert grace.goto(served.url + path).status == 404, path
    grace.goto(f"{served.url}/instructor/labs/{REST}/failures")
    assert grace.get_by_role("button", name="Regrade with the current grader").is_visible()

    linus.goto(f"{served.url}/instructor/gradebook")
    theirs = linus.locator(f'.gradebook tr[data-learner="{MIA}"]')
    assert theirs.locator(f'a[href$="/{mia_id}/{REST}"]').inner_text() == "3 / 6"
    assert theirs.locator(f'a[href$="/{mia_id}/{TOY}"]').inner_text() == "-"
    assert linus.goto(f"{served.url}/submissions/{rest}/files").status == 200
    assert linus.goto(f"{served.url}/submissions/{toy}").status == 404
    for tab in (grace, linus, mia):
        tab.context.close()


def test_an_instructor_keeps_names_in_view_and_finds_the_way_back_from_a_submission(
        served: Served, browser) -> None:  # noqa: F811
    grace = graces_new_class(browser, served, "Wide 2027")
    set_toy_due(grace, "2099-01-01T00:00")
    with served.app.app_context():
        session = get_session()
        cohort = session.scalars(select(Cohort).where(Cohort.name == "Wide 2027")).one()
        enrol(session, cohort, session.scalars(select(User).where(User.email == KIM)).one())
        session.commit()
        cohort_id = cohort.id
    graded_row(served.app, KIM, TOY, 5)

    grace.set_viewport_size({"width": 700, "height": 800})
    grace.goto(f"{served.url}/instructor/gradebook?cohort={cohort_id}")
    table = grace.locator(".gradebook")
    name = grace.locator(f'.gradebook tr[data-learner="{KIM}"] th')
    left = name.bounding_box()["x"]
    assert table.evaluate("t => t.scrollWidth > t.clientWidth"), "the gradebook is wider"
    table.evaluate("t => { t.scrollLeft = t.scrollWidth; }")
    assert name.bounding_box()["x"] == left, "the learner's name scrolled away from the scores"
    assert name.is_visible()

    grace.set_viewport_size({"width": 1280, "height": 900})
    grace.locator(f'.gradebook tr[data-learner="{KIM}"] a[href*="/{TOY}?"]').click()
    listing = grace.url.split("?")[0]
    gradebook = grace.get_by_role("link", name="Back to the gradebook")
    assert gradebook.get_attribute("href") == f"/instructor/gradebook?cohort={cohort_id}"
    grace.get_by_role("link", name="files and changes").click()
    back = grace.get_by_role("link", name="All of kim's submissions of this lab")
    back.click()
    assert grace.url == listing
    grace.locator("main table a").first.click()  # the result page
    grace.get_by_role("link", name="All of kim's submissions of this lab").click()
    assert grace.url == listing
    grace.context.close()


def test_a_roster_import_then_a_reset_link_and_an_extension_bring_a_new_learner_in(
        served: Served, browser, tmp_path: Path) -> None:  # noqa: F811
    """A roster makes accounts nobody knows the password of: a bad line imports nothing and is
    named; the good file creates Noor and enrols Omar (an account already); Grace gives Noor
    an extension and, with no mail server, a reset link that Noor opens to set her password,
    then reads her own due date on the lab."""
    add_user(served.app, "omar@example.org")
    grace = graces_new_class(browser, served, "Roster 2027")
    set_toy_due(grace, "2099-01-01T00:00")

    bad = tmp_path / "bad.csv"
    bad.write_text("email,name\nnoor@example.org,Noor Haddad\nnot-an-email,Somebody\n")
    grace.get_by_label("Roster (CSV: email,name per line)").set_input_files(bad)
    grace.get_by_role("button", name="Import").click()
    problems = grace.locator(".roster-problems")
    assert "Nothing was imported" in problems.inner_text()
    assert "line 3" in problems.inner_text().lower(), problems.inner_text()
    assert "Nobody has joined yet." in grace.locator(".roster").inner_text()

    good = tmp_path / "good.csv"
    good.write_text("email,name\nnoor@example.org,Noor Haddad\nomar@example.org,Omar\n")
    grace.get_by_label("Roster (CSV: email,name per line)").set_input_files(good)
    grace.get_by_role("button", name="Import").click()
    roster = grace.locator(".roster")
    roster.filter(has_text="noor@example.org").wait_for()
    assert "omar@example.org" in roster.inner_text()

    extension = grace.locator("form", has=grace.get_by_role("button",
                                                             name="Grant the extension"))
    extension.get_by_label("Learner").select_option(label="Noor Haddad (noor@example.org)")
    extension.get_by_label("Lab").select_option(label="Toy items")
    extension.get_by_label("Their own due date").fill("2099-02-01T12:00")
    extension.get_by_role("button", name="Grant the extension").click()
    row = grace.locator('.due-dates tr[data-lab="toy-items"]')
    assert "Noor Haddad: Sun 01 Feb 2099, 12:00 UTC" in row.inner_text()

    grace.goto(f"{served.url}/instructor/accounts?q=noor")
    grace.get_by_role("button", name="Make a password-reset link for noor@example.org").click()
    grace.get_by_role("heading", name="Reset link for Noor Haddad").wait_for()
    link = grace.get_by_label("Password-reset link").input_value()
    assert link.startswith(f"{served.url}/password/reset/"), link

    noor = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    noor.goto(link)
    assert noor.get_by_text(PASSWORD_RULE).is_visible(), "the rule is shown before a try"
    noor.get_by_label("Password", exact=True).fill("a new roster password")
    noor.get_by_label("Repeat password").fill("a new roster password")
    noor.get_by_role("button", name="Set the new password").click()
    noor.wait_for_url(f"{served.url}/login")
    log_in(noor, served.url, "noor@example.org", "a new roster password")
    noor.goto(f"{served.url}/labs/toy-items")
    due = " ".join(noor.locator(".lab-side .lab-due").inner_text().split())
    assert "Due Sun 01 Feb 2099, 12:00 UTC (your extension)" in due, due
    for tab in (grace, noor):
        tab.context.close()
