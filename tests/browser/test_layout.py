"""Layout in Chromium on a 390 px wide phone and a desktop window: no page scrolls sideways
(wide tables scroll inside themselves), a long display name never pushes the navigation off
screen, and check rows and status pills keep each label on one line."""

from __future__ import annotations

from typing import Any

import pytest

from tests.grading.grading_helpers import PASSWORD
from tests.support.chromium import CHROMIUM_ARGS, browser, log_in  # noqa: F401 - fixtures
from tests.support.every_page import (  # noqa: F401 - the site fixture is used below
    ANONYMOUS_PAGES,
    INSTRUCTOR_PAGES,
    LEARNER_PAGES,
    Site,
    site,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LONG_NAME = "Maximiliana" + "Wolfeschlegelsteinhausenbergerdorff" * 2 + "Ottilie"
PILLS = ".check-status, .check-points, .state, .diff-change, .countdown, .site-header nav a"

# page: the document's width when wider than the window; outside: header controls off screen;
# broken: pills whose label wraps onto a second line.
OVERFLOW = """(pills) => {
    const root = document.documentElement, width = root.clientWidth;
    const page = root.scrollWidth > width ? [root.scrollWidth] : [];
    const outside = Array.from(document.querySelectorAll('.site-header a, .site-header button'))
        .filter((e) => { const r = e.getBoundingClientRect();
                         return r.left < 0 || r.right > width; })
        .map((e) => e.textContent.trim());
    const broken = Array.from(document.querySelectorAll(pills))
        .filter((e) => { const line = parseFloat(getComputedStyle(e).lineHeight) || 20;
                         return e.getBoundingClientRect().height > 1.6 * line; })
        .map((e) => e.className + ': ' + e.textContent.trim());
    return {page, outside, broken};
}"""


def problems(tab: Any) -> dict[str, list[Any]]:
    found = tab.evaluate(OVERFLOW, PILLS)
    return {kind: items for kind, items in found.items() if items}


def scan(tab: Any, served: Site, paths: list[str]) -> dict[str, dict[str, list[Any]]]:
    found = {}
    for path in paths:
        tab.goto(served.address(path))
        tab.wait_for_timeout(300)
        if where := problems(tab):
            found[path] = where
    return found


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize(("email", "paths"), [(None, ANONYMOUS_PAGES),
                                              ("ada@example.org", LEARNER_PAGES),
                                              ("grace@example.org", INSTRUCTOR_PAGES)])
def test_no_page_scrolls_sideways_and_labels_stay_whole(site: Site, browser,  # noqa: F811
                                                        email: str | None, paths: list[str],
                                                        viewport: dict[str, int]) -> None:
    context = browser.new_context(viewport=viewport)
    tab = context.new_page()
    if email:
        log_in(tab, site.url, email, PASSWORD)
    found = scan(tab, site, paths)
    if viewport is PHONE and email == "grace@example.org":
        tab.goto(site.address("/instructor/gradebook"))
        table = tab.locator("table.data").first
        assert table.evaluate("(t) => t.scrollWidth > t.clientWidth"), (
            "expected the gradebook wider than a phone, scrolling inside its table")
        table.evaluate("(t) => { t.scrollLeft = t.scrollWidth; }")
        assert table.evaluate("(t) => t.scrollLeft > 0"), "the gradebook table does not scroll"
    context.close()
    assert found == {}, found


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_long_display_name_keeps_the_navigation_on_screen(site: Site, browser,  # noqa: F811
                                                            viewport: dict[str, int]) -> None:
    context = browser.new_context(viewport=viewport)
    tab = context.new_page()
    email = f"long-{viewport['width']}@example.org"
    tab.goto(f"{site.url}/register")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Display name").fill(LONG_NAME)
    tab.get_by_label("Password", exact=True).fill(PASSWORD)
    tab.get_by_label("Repeat password").fill(PASSWORD)
    tab.get_by_role("button", name="Register").click()
    tab.wait_for_url(f"{site.url}/")
    found = scan(tab, site, ["/", "/progress", LEARNER_PAGES[1], LEARNER_PAGES[3],
                             LEARNER_PAGES[4]])
    for name in ("Course", "Progress", "Log out"):
        control = tab.get_by_role("link" if name != "Log out" else "button", name=name,
                                  exact=True)
        assert control.is_visible(), f"{name} is not visible"
    context.close()
    assert found == {}, found


# What a real lab says when it fails: a JSON body with no space to break at, longer than a
# phone is wide (the toy lab of the scans above fails with short messages).
REAL_FAILURE = ('expected 201, got 200 from POST /api/v1/users: {"email":"grace.lee.690722637@'
                'example.org","id":2,"name":"Grace Lee","created_at":"2026-12-03T07:49:00Z"}')


def long_failure_and_long_name(served: Site) -> int:
    """A graded submission of Ada's failing with REAL_FAILURE (message and evidence), and a
    learner with LONG_NAME in Grace's class (the class page lists them in a select)."""
    from webapp.auth.accounts import create_user
    from webapp.classes.cohorts import enrol
    from webapp.db import get_session
    from webapp.models import GRADED, CheckRecord, Cohort, Submission

    assert served.app is not None
    with served.app.app_context():
        session = get_session()
        row = Submission(user_id=served.ids["ada"], lab_id="toy-items", files=b"", attempt=1,
                         status=GRADED, infra_retries=0, verdict="graded", score=0, max_score=2)
        session.add(row)
        session.flush()
        session.add(CheckRecord(submission_id=row.id, attempt=1, position=0, check_id="create",
                                name="Creating a user answers 201", status="failed", points=0,
                                max_points=2, message=REAL_FAILURE, evidence=REAL_FAILURE * 2,
                                hint="Answer 201 Created with the user."))
        learner = create_user(session, "maxi@example.org", LONG_NAME, PASSWORD)
        enrol(session, session.get(Cohort, served.ids["cohort"]), learner)
        session.commit()
        return row.id


def test_a_real_labs_long_failure_and_long_names_in_forms_stay_within_a_phone(
        site: Site, browser) -> None:  # noqa: F811
    submission = long_failure_and_long_name(site)
    found = {}
    for email, paths in (("ada@example.org", [f"/submissions/{submission}"]),
                         ("grace@example.org", [f"/submissions/{submission}",
                                                "/instructor/classes/{cohort}",
                                                "/instructor/gradebook"])):
        context = browser.new_context(viewport=PHONE)
        tab = context.new_page()
        log_in(tab, site.url, email, PASSWORD)
        tab.goto(site.address(f"/submissions/{submission}"))
        tab.locator(".check-evidence summary").click()  # the evidence open, as a learner reads it
        if where := problems(tab):
            found[f"/submissions/{submission} (evidence open)"] = where
        found.update(scan(tab, site, paths))
        context.close()
    assert found == {}, found
