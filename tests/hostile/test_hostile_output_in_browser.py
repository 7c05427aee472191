"""In Chromium: a submission that prints non-UTF-8, NUL, terminal escapes and HTML is graded
through the web app on Docker and stored in PostgreSQL; its result page shows all of it as
escaped text - no script runs, no tag is parsed, no CSP violation is reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.grading.grading_helpers import PASSWORD, add_user, finished, submit_as, wait_for
from tests.hostile.conftest import SUBMISSIONS, Target
from tests.support.chromium import browser, log_in, page  # noqa: F401 - fixtures used below
from tests.support.webapp_server import serving
from webapp import create_app
from webapp.grading.pool import EmbeddedPool
from webapp.migrate import upgrade

pytestmark = [pytest.mark.docker, pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
LEARNER = "mallory@example.org"


@pytest.fixture
def graded_site(target: Target, runtime_image: str, postgres_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The web app (production defaults, Docker sandbox, PostgreSQL) after grading the
    hostile-output submission; yields (base URL, submission id)."""
    labs_root = tmp_path / "labs"
    shutil.copytree(target.lab_dir, labs_root / "hostile_target")
    app = create_app({"SECRET_KEY": "hostile-browser", "DATABASE_URL": postgres_url,
                      "CONTENT_DIR": REPO / "tests" / "webapp" / "content",
                      "LABS_ROOT": labs_root, "ARCHLAB_SANDBOX": "docker",
                      "SESSION_COOKIE_SECURE": False})
    upgrade(app.config["DATABASE_URL"])
    add_user(app, LEARNER)
    files = {"app.py": (SUBMISSIONS / "hostile_output" / "app.py").read_bytes(),
             "honest.py": (target.solution / "app.py").read_bytes()}
    submission_id = submit_as(app, LEARNER, target.lab.id, files)
    pool = EmbeddedPool(app, workers=1).start()
    try:
        submission = wait_for(app, submission_id, finished, timeout=120,
                              what="the hostile submission's grade to finish")
    finally:
        pool.stop()
    assert (submission.status, submission.verdict, submission.score) == ("graded", "graded", 5)
    with serving(app) as url:
        yield url, submission_id


def test_hostile_output_is_shown_escaped_and_never_runs(graded_site, page) -> None:  # noqa: F811
    url, submission_id = graded_site
    log_in(page, url, LEARNER, PASSWORD)
    page.goto(f"{url}/submissions/{submission_id}")
    page.get_by_text("Your service's log (last lines)").click()
    log = page.locator(".log-tail pre").inner_text()
    page.locator(".check-evidence summary").last.click()
    evidence = page.locator(".check-evidence pre").last.inner_text()
    for shown in (log, evidence):
        assert "<script>window.__pwned = 1</script>" in shown, shown
        assert "nul \\x00 ansi \\x1b[2J\\x1b[31mRED" in shown, shown
        assert "bad utf-8 \ufffd" in shown, shown
    assert page.locator(".log-tail pre *, .check-evidence pre *").count() == 0, \
        "the hostile output became HTML elements"
    assert page.evaluate("() => window.__pwned") is None
    assert page.problems == []
