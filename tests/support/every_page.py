"""One served site with a record behind every page type, and the paths of those pages, for the
browser tests that must leave no page out (the CSP check, the accessibility and layout scans).

The site runs with production defaults (CSRF, CSP) on the security suite's labs: Ada (a learner)
has graded submissions of the toy lab and is in Grace's class, where the toy lab is due;
Grace (an instructor) has started a regrade.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from tests.grading.grading_helpers import add_user, solution_files, starter_files, submit_as
from tests.security.conftest import CHAPTER, TOY, learner_sandboxes, security_app
from tests.support.webapp_server import serving
from webapp.auth import resets
from webapp.classes.cohorts import create_cohort, enrol, set_due_date
from webapp.db import get_session
from webapp.grading.gradebook import start_regrade
from webapp.models import COUNTS_BEST, INSTRUCTOR, Cohort, User

ANONYMOUS_PAGES = ["/", "/login", "/register", "/password/forgot", "/password/reset/{reset}",
                   "/lti/login", f"/chapters/{CHAPTER}"]
LEARNER_PAGES = ["/", f"/chapters/{CHAPTER}", "/progress", f"/labs/{TOY}",
                 f"/labs/{TOY}/submissions", "/submissions/{submission}",
                 "/submissions/{submission}/files", "/classes/join", "/instructor/",
                 "/no-such-page"]
ERROR_PAGES = {"/instructor/": 403, "/no-such-page": 404}  # as the learner
INSTRUCTOR_PAGES = ["/instructor/", "/instructor/content", "/instructor/accounts",
                    "/instructor/classes", "/instructor/classes/{cohort}", "/instructor/gradebook",
                    "/instructor/gradebook/{ada}/" + TOY, f"/instructor/labs/{TOY}/failures",
                    "/instructor/regrades/{regrade}", f"/instructor/labs/{TOY}/preview",
                    "/submissions/{submission}",
                    "/submissions/{submission}/files", "/lti/platforms", "/lti/scores"]


@dataclass
class Site:
    url: str
    ids: dict[str, int | str]
    app: Flask | None = None  # the served app, for a test that adds records of its own

    def address(self, path: str) -> str:
        return self.url + path.format(**self.ids)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with learner_sandboxes():
        app = security_app(tmp_path_factory.mktemp("site"), TESTING=False,
                           SESSION_COOKIE_SECURE=False)
        ada = add_user(app, "ada@example.org")
        grace = add_user(app, "grace@example.org", INSTRUCTOR)
        with app.app_context():  # Ada joins first: only work made in Grace's class is hers
            session = get_session()
            instructor = session.get(User, grace)
            cohort = create_cohort(session, "Backend 2026", "Europe/Paris", COUNTS_BEST,
                                   instructor)
            enrol(session, cohort, session.get(User, ada))
            session.commit()
            cohort_id = cohort.id
        submit_as(app, "ada@example.org", TOY, starter_files())
        submission = submit_as(app, "ada@example.org", TOY, solution_files())
        with app.app_context():
            session = get_session()
            instructor = session.get(User, grace)
            regrade = start_regrade(session, TOY, instructor).id
            due = datetime(2026, 12, 4, 23, tzinfo=UTC)
            set_due_date(session, session.get(Cohort, cohort_id), TOY, due,
                         due + timedelta(days=2), 20)
            # the page a reset link opens (a visit does not use the link up)
            reset = resets.issue(session, session.get(User, ada), timedelta(days=1))
        with serving(app) as url:
            yield Site(url, {"ada": ada, "submission": submission, "regrade": regrade,
                             "cohort": cohort_id, "reset": reset}, app)
