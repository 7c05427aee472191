"""In Chromium: Grade in the workspace, watch check rows stream in beside the editor while the
grade runs, then score and charts.

The site runs with production defaults (CSRF, CSP), so the page must work with no inline
script; every console error or CSP violation fails the test.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC

import pytest
from flask import Flask

from tests.grading.grading_helpers import PASSWORD, SLOW_SLEEP_S, TOY_LAB, add_user
from tests.support.chromium import browser, log_in, page  # noqa: F401 - fixtures used below
from tests.support.webapp_server import serving
from tests.workspace.editor_page import replace_text
from webapp.db import get_session
from webapp.grading.pool import EmbeddedPool
from webapp.models import CheckRecord

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def site(make_app) -> Iterator[tuple[str, Flask]]:  # type: ignore[no-untyped-def]
    app = make_app(TESTING=False, SESSION_COOKIE_SECURE=False)
    add_user(app, "ada@example.org")
    pool = EmbeddedPool(app, workers=1).start()
    with serving(app) as url:
        yield url, app
    pool.stop()


def shown_at(tab, count: int) -> float:  # type: ignore[no-untyped-def]
    """Wall-clock time at which the page shows `count` check rows."""
    tab.locator("#check-rows .check").nth(count - 1).wait_for(timeout=30_000)
    return time.time()


def test_checks_stream_in_then_score_and_charts(site, page) -> None:  # noqa: F811
    url, app = site
    log_in(page, url, "ada@example.org", PASSWORD)

    page.goto(f"{url}/labs/slow-items")
    page.locator("#file-list button.current").wait_for()
    replace_text(page, (TOY_LAB / "solution" / "app.py").read_text())
    page.get_by_role("button", name="Grade", exact=True).click()
    page.wait_for_url(f"{url}/labs/slow-items?graded=*")

    third_shown = shown_at(page, 3)
    assert page.locator("#score").count() == 0, "three rows must show while the grade runs"
    with app.app_context():
        finished_at = get_session().query(CheckRecord).filter_by(position=2).one().finished_at
    third_stored = finished_at.replace(tzinfo=finished_at.tzinfo or UTC).timestamp()
    # shown while the next check (SLOW_SLEEP_S long) still runs: the page polls every 300 ms,
    # but on a busy machine a poll and its rendering can take most of a second (1 s left 0.7 s)
    assert third_shown - third_stored < SLOW_SLEEP_S, (
        f"expected the row within {SLOW_SLEEP_S:g} s of the check ending, while the grade runs, "
        f"took {third_shown - third_stored:.2f}s")

    page.locator("#score").wait_for(timeout=30_000)
    assert page.locator("#score").inner_text() == "7 / 7"
    assert page.locator("#check-rows .check-passed").count() == 4
    page.locator("canvas[data-drawn]").nth(1).wait_for()
    kinds = page.evaluate("() => Array.from(document.querySelectorAll('canvas[data-chart]'))"
                          ".map(c => Chart.getChart(c).config.type)")
    assert kinds == ["bar", "line"]
    assert page.problems == []
