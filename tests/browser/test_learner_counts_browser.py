"""What counts in a class, in Chromium on the real pages: a learner in a class with a due date,
a late rule and her own extension reads, on the course home beside the chapter's lab and on
the lab page, the score that counts there (her late submission, less the penalty) with a link
to its results, and her best from before she joined labelled as her best; her instructor's
gradebook shows the very same figure for her."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from labs.catalog import get_lab, load_checks
from tests.grading.grading_helpers import PASSWORD, add_user
from tests.security.conftest import security_app
from tests.support.chromium import browser, log_in, page  # noqa: F401 - fixtures used below
from tests.support.webapp_server import serving
from webapp.classes.cohorts import create_cohort, grant_extension, set_due_date
from webapp.db import get_session
from webapp.models import COUNTS_BEST, GRADED, INSTRUCTOR, Enrollment, Submission, User, utcnow

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ADA, GRACE = "ada@example.org", "grace@example.org"
LAB, CLASS = "rest-api", "Backend 2026"  # the test content's first chapter has this lab
DAY = timedelta(days=1)


@dataclass
class Served:
    url: str
    cohort: int
    max_score: int
    before_joining: int
    on_time: int
    late: int


def graded(app: Flask, user_id: int, ago: timedelta, score: int, max_score: int) -> int:
    with app.app_context():
        session = get_session()
        row = Submission(user_id=user_id, lab_id=LAB, files=b"", status=GRADED, attempt=1,
                         infra_retries=0, verdict="graded", score=score, max_score=max_score,
                         created_at=utcnow() - ago)
        session.add(row)
        session.commit()
        return row.id


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Ada joined Grace's class ten days ago. The lab was due there two days ago, late work
    is taken for a week at 25% off, and Ada's own due date was yesterday. Her work: full
    marks before she joined, a low score on time, a better one late."""
    app = security_app(tmp_path_factory.mktemp("counts"), TESTING=False,
                       SESSION_COOKIE_SECURE=False)
    ada, grace = add_user(app, ADA), add_user(app, GRACE, INSTRUCTOR)
    with app.app_context():
        session = get_session()
        max_score = load_checks(get_lab(LAB, app.config["LABS_ROOT"])).max_score
        cohort = create_cohort(session, CLASS, "Europe/Paris", COUNTS_BEST,
                               session.get(User, grace))
        session.add(Enrollment(cohort_id=cohort.id, user_id=ada, joined_at=utcnow() - 10 * DAY))
        session.commit()
        set_due_date(session, cohort, LAB, utcnow() - 2 * DAY, utcnow() + 5 * DAY, 25)
        grant_extension(session, cohort, LAB, session.get(User, ada), utcnow() - DAY)
        cohort_id = cohort.id
    assert max_score >= 8
    with serving(app) as url:
        yield Served(url, cohort_id, max_score,
                     before_joining=graded(app, ada, 20 * DAY, max_score, max_score),
                     on_time=graded(app, ada, 3 * DAY, 2, max_score),
                     late=graded(app, ada, DAY / 2, 8, max_score))  # 8 less 25%: 6 beats 2


def as_user(browser: Any, url: str, email: str) -> Any:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.problems = []
    tab.on("console", lambda msg: tab.problems.append(msg.text)
           if msg.type in ("error", "warning") else None)
    tab.on("pageerror", lambda exc: tab.problems.append(str(exc)))
    log_in(tab, url, email, PASSWORD)
    return tab


def read(locator: Any) -> str:
    return " ".join(locator.inner_text().split())


def test_a_learner_reads_what_counts_in_her_class_as_her_gradebook_shows_it(
        served: Served, browser) -> None:  # noqa: F811
    counts = (f"Counts in {CLASS}: 6 / {served.max_score} — submission #{served.late} "
              f"(late, 25% off)")
    ada = as_user(browser, served.url, ADA)
    card = ada.locator(".chapter-card", has=ada.locator(f'a[href="/labs/{LAB}"]'))
    assert read(card.locator(".class-count")) == counts
    assert read(card.locator(".lab-best")) == (
        f"your best, any time: {served.max_score} / {served.max_score} (100%)")

    ada.goto(f"{served.url}/labs/{LAB}")
    standing = ada.locator("#lab-standing")
    assert read(standing.locator(".class-count")) == counts
    assert read(standing.locator(".lab-best")) == (
        f"Your best, any time and any class: {served.max_score} / {served.max_score} (100%)")
    standing.get_by_role("link", name=f"submission #{served.late}").click()
    ada.wait_for_url(f"{served.url}/submissions/{served.late}")
    ada.get_by_role("heading", name=re.compile(rf"^Submission #{served.late}:")).wait_for()
    assert ada.problems == []

    grace = as_user(browser, served.url, GRACE)
    grace.goto(f"{served.url}/instructor/gradebook?cohort={served.cohort}&lab={LAB}")
    cell = grace.locator(f'.gradebook tr[data-learner="{ADA}"] td').first
    figure = re.match(r"Counts in [^:]+: (\S+ / \d+)", counts).group(1)
    assert read(cell) == f"{figure} (late)", "the learner's figure is the gradebook's"
    assert grace.problems == []
