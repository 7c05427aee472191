"""In Chromium, on the Docker backend: log in, open the REST lab, fix the starter's bug in the
editor, Run, send a request in the console and see the response, Stop, Grade, watch the checks
stream in, then find the score in the learner's history and in the instructor's gradebook.

The site runs with production defaults (CSRF, CSP), so any console error or CSP violation
fails the test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from labs.catalog import LABS_ROOT
from tests.grading.grading_helpers import PASSWORD, add_user
from tests.support.chromium import browser, log_in, page  # noqa: F401 - fixtures used below
from tests.support.webapp_server import serving
from tests.workspace.editor_page import wait_saved
from webapp.grading.pool import EmbeddedPool

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.slow]
BUGGY_LINE = "return jsonify(user)"


@pytest.fixture
def site(make_app, docker_client) -> Iterator[str]:  # type: ignore[no-untyped-def]
    app = make_app(TESTING=False, SESSION_COOKIE_SECURE=False, LABS_ROOT=LABS_ROOT,
                   ARCHLAB_SANDBOX="docker")
    add_user(app, "ada@example.org")
    add_user(app, "ina@example.org", "admin")  # ada is in no class: only an admin sees her
    pool = EmbeddedPool(app, workers=1).start()
    with serving(app) as url:
        yield url
    pool.stop()


def fix_starter_bug(tab) -> None:  # type: ignore[no-untyped-def]
    """Put the cursor after `return jsonify(user)` in create_user and type the status code."""
    tab.evaluate("""(needle) => {
        const view = ArchlabEditor.viewOf(document.getElementById('editor'));
        const text = view.state.doc.toString();
        view.focus();
        view.dispatch({selection: {anchor: text.indexOf(needle) + needle.length}});
    }""", BUGGY_LINE)
    tab.keyboard.type(", 201")


def test_edit_run_poke_stop_and_grade_the_rest_lab(site: str, page,  # noqa: F811
                                                    tmp_path: Path) -> None:
    log_in(page, site, "ada@example.org", PASSWORD)

    page.goto(f"{site}/labs/rest-api")
    page.get_by_role("button", name="app.py").wait_for()
    assert page.locator(".lab-instructions h1, .lab-instructions h2").count() > 3
    fix_starter_bug(page)
    wait_saved(page)
    page.reload()
    page.wait_for_function("""() => ArchlabEditor.viewOf(document.getElementById('editor'))
        .state.doc.toString().includes('return jsonify(user), 201')""")

    page.get_by_role("button", name="Run").click()
    page.locator("#run-state", has_text="Running on the docker sandbox").wait_for(timeout=60_000)
    assert re.fullmatch(r"stops in (10:00|9:5\d)", page.locator("#run-countdown").inner_text())
    page.locator("#run-countdown", has_text="stops in 9:5").wait_for(timeout=5_000)  # ticking

    page.get_by_label("Method").select_option("POST")
    page.get_by_label("Request path").fill("/api/v1/users")
    page.get_by_label("Body (JSON)").fill('{"name": "Ada", "email": "ada@example.org"}')
    page.get_by_role("button", name="Send").click()
    page.locator("#response-status", has_text="201 CREATED").wait_for(timeout=15_000)
    assert '"email": "ada@example.org"' in page.locator("#response-body").inner_text()
    assert "Content-Type: application/json" in page.locator("#response-headers").inner_text()
    page.locator("#run-log", has_text="POST /api/v1/users").wait_for(timeout=10_000)

    page.get_by_role("button", name="Stop").click()
    page.locator("#run-state", has_text="Stopped: you stopped it.").wait_for()
    assert page.get_by_role("button", name="Send").is_disabled()
    page.screenshot(path=str(tmp_path / "workspace.png"), full_page=True)

    page.get_by_role("button", name="Grade", exact=True).click()
    page.wait_for_url(re.compile(rf"{site}/labs/rest-api\?graded=\d+#last-grade$"))
    page.locator("#check-rows .check").first.wait_for(timeout=60_000)
    page.locator("#score").wait_for(timeout=120_000)
    score = page.locator("#score").inner_text()
    assert re.fullmatch(r"\d+ / 100", score), f"expected a score out of 100, got {score!r}"
    assert page.locator("#check-rows .check-passed").count() >= 1
    assert page.problems == [], "\n".join(page.problems)

    page.goto(f"{site}/labs/rest-api/submissions")
    assert page.locator("table.data tbody tr").first.locator("td").nth(2).inner_text() == score

    instructor = page.context.browser.new_context().new_page()
    log_in(instructor, site, "ina@example.org", PASSWORD)
    instructor.goto(f"{site}/instructor/gradebook?lab=rest-api")
    row = instructor.get_by_role("row", name=re.compile("ada@example.org"))
    assert row.get_by_role("cell").first.inner_text() == score  # the lab's cell, then the total
    instructor.context.close()
