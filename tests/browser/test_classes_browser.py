"""Classes in Chromium, end to end on the real pages: an instructor creates a class and sets
a due date on its clock, a learner joins by the code and sees the due date on the lab and the
course home, the class gradebook names quizzes and labs by title with totals, and a regrade
asks first, then its page updates by itself until every submission is graded again."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

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
from webapp.grading.pool import EmbeddedPool
from webapp.models import INSTRUCTOR

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ADA, GRACE = "ada@example.org", "grace@example.org"


@dataclass
class Served:
    url: str
    submission: int


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The site with production defaults and a grading pool; Ada has one graded submission."""
    with learner_sandboxes():
        app = security_app(tmp_path_factory.mktemp("classes"), TESTING=False,
                           SESSION_COOKIE_SECURE=False)
        add_user(app, ADA)
        add_user(app, GRACE, INSTRUCTOR)
        pool = EmbeddedPool(app, workers=1).start()
        try:
            submission = submit_as(app, ADA, TOY, solution_files())
            wait_for(app, submission, finished, what="Ada's grade")
            with serving(app) as url:
                yield Served(url, submission)
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
