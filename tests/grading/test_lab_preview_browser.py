"""In Chromium: an instructor previews a lab with a weak check, sees it wait for a grading
worker, then watches the verify table fill in by itself while the worker's grades run (each
takes over 2 s: the slow lab), and reads which mutant got through and which check came
closest to catching it.

The site runs with production defaults (CSRF, CSP): the live table must work with no inline
script, and every console error or CSP violation fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.grading.grading_helpers import PASSWORD, add_user
from tests.support.axe import serious_violations
from tests.support.chromium import browser, log_in, page  # noqa: F401 - fixtures used below
from tests.support.weak_check import UNCAUGHT, weaken
from tests.support.webapp_server import serving
from webapp.grading.pool import EmbeddedPool
from webapp.models import INSTRUCTOR

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def app(make_app, labs_root: Path) -> Flask:  # type: ignore[no-untyped-def]
    weaken(labs_root / "slow_items")
    app = make_app(TESTING=False, SESSION_COOKIE_SECURE=False)
    add_user(app, "grace@example.org", INSTRUCTOR)
    return app


@pytest.fixture
def site(app: Flask) -> Iterator[str]:
    with serving(app) as url:
        yield url


@pytest.fixture
def graders(app: Flask) -> Iterator[EmbeddedPool]:
    """The site's grading worker, not started: the test starts it."""
    pool = EmbeddedPool(app, workers=1)
    yield pool
    pool.stop()


def test_the_preview_table_fills_in_live_and_names_the_weak_check(
        site, page, graders: EmbeddedPool) -> None:  # noqa: F811
    log_in(page, site, "grace@example.org", PASSWORD)
    page.goto(f"{site}/instructor/")
    page.locator('a[href="/instructor/labs/slow-items/preview"]').click()
    page.wait_for_url(f"{site}/instructor/labs/slow-items/preview")
    page.get_by_role("button", name="Run the preview").click()
    page.wait_for_url(f"{site}/instructor/labs/slow-items/preview")
    status = page.locator("#preview-status")
    assert status.inner_text().startswith("Queued: waiting for a grading worker")
    assert page.locator("tr.waiting").count() == 8  # the toy lab's 7, and the weak mutant
    assert page.get_by_role("button", name="Run the preview").is_disabled()

    graders.start()  # the page is not reloaded: it polls and fills in by itself
    solution = page.locator('tr.agrees[data-subject="solution"]')
    solution.wait_for(timeout=60_000)
    assert page.locator("tr.waiting").count() > 0, "rows must show while the preview runs"
    assert status.inner_text().startswith("Running: ")
    assert page.get_by_role("button", name="Run the preview").is_disabled()

    status.get_by_text("1 row disagrees").wait_for(timeout=120_000)
    assert page.locator("tr.waiting").count() == 0
    weak = page.locator('tr[data-subject="mutant renames_on_read"]')
    assert weak.get_attribute("class") == "disagrees"
    assert "✗ disagrees" in weak.inner_text()
    caught = page.locator('tr[data-subject="mutant created_answers_200"]')
    assert "create_item_returns_201" in caught.inner_text()
    assert UNCAUGHT in page.locator(".findings").inner_text()
    assert page.get_by_role("button", name="Run the preview").is_enabled()
    assert serious_violations(page) == []
    assert page.problems == []
