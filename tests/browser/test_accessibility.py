"""Every page type in Chromium, scanned by axe-core: no serious or critical accessibility
violation, for anonymous visitors, a learner and an instructor (error pages included)."""

from __future__ import annotations

import pytest

from tests.grading.grading_helpers import PASSWORD
from tests.support.axe import serious_violations
from tests.support.chromium import browser, log_in, page  # noqa: F401 - fixtures used below
from tests.support.every_page import (  # noqa: F401 - the site fixture is used below
    ANONYMOUS_PAGES,
    INSTRUCTOR_PAGES,
    LEARNER_PAGES,
    Site,
    site,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SETTLE_MS = 800  # the editor's first fetch, htmx polls


@pytest.mark.parametrize(("email", "paths"), [(None, ANONYMOUS_PAGES),
                                              ("ada@example.org", LEARNER_PAGES),
                                              ("grace@example.org", INSTRUCTOR_PAGES)])
def test_no_serious_accessibility_violation_on_any_page(site: Site, page,  # noqa: F811
                                                         email: str | None,
                                                         paths: list[str]) -> None:
    if email:
        log_in(page, site.url, email, PASSWORD)
    found = {}
    for path in paths:
        page.goto(site.address(path))
        page.wait_for_timeout(SETTLE_MS)
        if violations := serious_violations(page):
            found[path] = violations
    assert found == {}, "\n".join(f"{email or 'anonymous'} on {path}:\n  " + "\n  ".join(v)
                                  for path, v in found.items())


def test_no_serious_violation_in_states_a_page_reaches_by_use(site: Site, page) -> None:  # noqa: F811
    """The quiz with its feedback, the editor's search panel, the workspace's result open."""
    log_in(page, site.url, "ada@example.org", PASSWORD)
    page.goto(site.address(ANONYMOUS_PAGES[-1]))
    page.locator('input[name="q0"]').first.check()
    page.get_by_role("button", name="Check my answers").click()
    page.locator("#quiz-result .score").wait_for()
    assert serious_violations(page) == []

    page.goto(site.address(LEARNER_PAGES[3]))
    page.locator("#file-list button.current").wait_for()
    page.locator("#last-grade > summary").click()
    page.locator(".cm-content").click()
    page.keyboard.press("Control+f")
    page.get_by_role("textbox", name="Find").wait_for()
    assert serious_violations(page) == []
