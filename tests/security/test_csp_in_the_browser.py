"""Every page type, as a learner and as an instructor, in Chromium with the production
Content-Security-Policy: no CSP violation, no console error, no uncaught script error. Other
browser tests drive the pages; this one makes sure none is left out (instructor pages, error
pages, a result still being graded)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.grading.grading_helpers import PASSWORD, add_user, solution_files, submit_as
from tests.security.conftest import CHAPTER, TOY, learner_sandboxes, security_app
from tests.support.chromium import browser, log_in, page  # noqa: F401 - fixtures used below
from tests.support.webapp_server import serving
from webapp.db import get_session
from webapp.grading.gradebook import start_regrade
from webapp.models import INSTRUCTOR, User

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LEARNER_PAGES = ["/", f"/chapters/{CHAPTER}", "/progress", f"/labs/{TOY}",
                 f"/labs/{TOY}/submissions", "/submissions/{submission}", "/instructor/",
                 "/no-such-page"]
ERROR_PAGES = {"/instructor/": 403, "/no-such-page": 404}  # as the learner
INSTRUCTOR_PAGES = ["/instructor/", "/instructor/content", "/instructor/gradebook",
                    "/instructor/gradebook/{ada}/" + TOY, f"/instructor/labs/{TOY}/failures",
                    "/instructor/regrades/{regrade}", "/submissions/{submission}"]
SETTLE_MS = 1000  # long enough for htmx polls and the editor's first fetch


@dataclass
class Site:
    url: str
    ids: dict[str, int]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with learner_sandboxes():
        app = security_app(tmp_path_factory.mktemp("csp"), TESTING=False,
                           SESSION_COOKIE_SECURE=False)
        ada = add_user(app, "ada@example.org")
        grace = add_user(app, "grace@example.org", INSTRUCTOR)
        submission = submit_as(app, "ada@example.org", TOY, solution_files())
        with app.app_context():
            session = get_session()
            regrade = start_regrade(session, TOY, session.get(User, grace)).id
        with serving(app) as url:
            yield Site(url, {"ada": ada, "submission": submission, "regrade": regrade})


@pytest.mark.parametrize(("email", "paths"), [("ada@example.org", LEARNER_PAGES),
                                              ("grace@example.org", INSTRUCTOR_PAGES)])
def test_every_page_type_keeps_to_the_csp(site: Site, page, email: str,  # noqa: F811
                                          paths: list[str]) -> None:
    log_in(page, site.url, email, PASSWORD)
    for path in paths:
        url = site.url + path.format(**site.ids)
        page.goto(url)
        page.wait_for_timeout(SETTLE_MS)
        status = ERROR_PAGES.get(path) if paths is LEARNER_PAGES else None
        refused = f"Failed to load resource: the server responded with a status of {status}"
        unexpected = [p for p in page.problems if not (status and refused in p)]
        assert unexpected == [], f"{email} on {path}: " + "\n".join(unexpected)
        page.problems.clear()
