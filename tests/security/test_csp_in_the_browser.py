"""Every page type, as a learner and as an instructor, in Chromium with the production
Content-Security-Policy: no CSP violation, no console error, no uncaught script error. Other
browser tests drive the pages; this one makes sure none is left out (instructor pages, error
pages, a result still being graded)."""

from __future__ import annotations

import pytest

from tests.grading.grading_helpers import PASSWORD
from tests.support.chromium import browser, log_in, page  # noqa: F401 - fixtures used below
from tests.support.every_page import (  # noqa: F401 - the site fixture is used below
    ERROR_PAGES,
    INSTRUCTOR_PAGES,
    LEARNER_PAGES,
    Site,
    site,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SETTLE_MS = 1000  # long enough for htmx polls and the editor's first fetch


@pytest.mark.parametrize(("email", "paths"), [("ada@example.org", LEARNER_PAGES),
                                              ("grace@example.org", INSTRUCTOR_PAGES)])
def test_every_page_type_keeps_to_the_csp(site: Site, page, email: str,  # noqa: F811
                                          paths: list[str]) -> None:
    log_in(page, site.url, email, PASSWORD)
    for path in paths:
        page.goto(site.address(path))
        page.wait_for_timeout(SETTLE_MS)
        status = ERROR_PAGES.get(path) if paths is LEARNER_PAGES else None
        refused = f"Failed to load resource: the server responded with a status of {status}"
        unexpected = [p for p in page.problems if not (status and refused in p)]
        assert unexpected == [], f"{email} on {path}: " + "\n".join(unexpected)
        page.problems.clear()
