"""One site per test module, shared read-mostly by its tests: the toy lab and a copy of the real
REST lab (whose solution must never leak), two learners with records of their own, an
instructor, and an anonymous visitor. CSRF stays on, as in production.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from labs.catalog import LABS_ROOT
from tests.grading.grading_helpers import TOY_LAB, logged_in, solution_files, submit_as
from tests.security.route_table import INSTRUCTOR as INSTRUCTOR_ONLY
from tests.security.route_table import LMS, LOGGED_IN, OWNER, PUBLIC, fill
from tests.support.site_app import allow_process_sandbox, migrated_app
from tests.webapp.conftest import csrf_token
from webapp.models import INSTRUCTOR
from webapp.workspace.runs import EXTENSION as RUNS

TOY = "toy-items"
REST_LAB = "rest_api"
STATIC_FILE = "css/site.css"
CONTENT_IMAGE = "cache.svg"
CHAPTER = "caching-basics"


def copy_labs(root: Path) -> Path:
    """The toy lab and the real REST lab (solution, checks and mutants included)."""
    shutil.copytree(TOY_LAB, root / "toy_items")
    shutil.copytree(LABS_ROOT / REST_LAB, root / REST_LAB,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return root


def security_app(tmp: Path, **overrides: Any) -> Flask:
    """A migrated app with production's CSRF, on a tmp SQLite database and the copied labs."""
    return migrated_app(tmp, copy_labs(tmp / "labs"), **overrides)


@dataclass
class Visitor:
    """A browser: its client and the CSRF token of its session."""

    client: FlaskClient
    token: str = field(init=False)

    def __post_init__(self) -> None:
        self.token = csrf_token(self.client, "/login" if self.anonymous() else "/")

    def anonymous(self) -> bool:
        with self.client.session_transaction() as session:
            return "user_id" not in session

    def user_id(self) -> int:
        with self.client.session_transaction() as session:
            return int(session["user_id"])

    def call(self, method: str, path: str, token: bool = True, **kwargs: Any) -> TestResponse:
        headers = dict(kwargs.pop("headers", {}))
        if token and method != "GET":
            headers["X-CSRFToken"] = self.token
        return self.client.open(path, method=method, headers=headers, **kwargs)


@dataclass
class World:
    app: Flask
    anonymous: Visitor
    ada: Visitor
    bob: Visitor
    grace: Visitor
    ada_submission: int
    regrade: int
    reset_token: str
    cohort: int
    lti_link: int
    lti_course: int

    def url(self, rule: Rule, **overrides: object) -> str:
        """A path to `rule` naming records that exist (Ada's, when a rule names an owner's)."""
        values: dict[str, object] = {
            "lab_id": TOY,
            "slug": CHAPTER,
            "filename": STATIC_FILE if rule.endpoint == "static" else CONTENT_IMAGE,
            "submission_id": self.ada_submission,
            "user_id": self.ada.user_id(),
            "regrade_id": self.regrade,
            "cohort_id": self.cohort,
            "link_id": self.lti_link,
            "context_id": self.lti_course,
            "token": self.reset_token,
            **overrides,
        }
        return fill(rule, values)

    def url_of(self, endpoint: str) -> str:
        """The path of `endpoint` (the terminal's two rules, WebSocket and plain, share one)."""
        rule = next(iter(self.app.url_map.iter_rules(endpoint)))
        return self.url(rule)

    def visitor_for(self, access: str) -> Visitor:
        """Someone the route is for: Ada owns the records, Bob is just another learner."""
        return {PUBLIC: self.anonymous, LOGGED_IN: self.bob, OWNER: self.ada,
                INSTRUCTOR_ONLY: self.grace, LMS: self.anonymous}[access]


def build_world(tmp: Path) -> World:
    app = security_app(tmp)
    ada = Visitor(logged_in(app, "ada@example.org"))
    grace = Visitor(logged_in(app, "grace@example.org", INSTRUCTOR))
    started = grace.call("POST", f"/instructor/labs/{TOY}/regrades")
    assert started.status_code == 303, f"expected a regrade to start, got {started.status}"
    return World(
        app=app,
        anonymous=Visitor(app.test_client()),
        ada=ada,
        bob=Visitor(logged_in(app, "bob@example.org")),
        grace=grace,
        cohort=class_of(app, "grace@example.org"),  # before Ada's work, so it is the class's
        ada_submission=submit_as(app, "ada@example.org", TOY, solution_files()),
        regrade=int(started.headers["Location"].rsplit("/", 1)[1]),
        reset_token=reset_token_of(app, "bob@example.org"),
        **lms_records(app),
    )


def lms_records(app: Flask) -> dict[str, int]:
    """A registered LMS's link that opens no lab yet, which Grace launched (she chooses its
    lab), and its course (their pages take ids)."""
    from webapp.auth.accounts import find_by_email
    from webapp.db import get_session
    from webapp.models import LtiContext, LtiLearnerLink, LtiPlatform, LtiResourceLink

    with app.app_context():
        db = get_session()
        platform = LtiPlatform(name="An LMS", issuer="https://lms.example.org",
                               client_id="archlab", auth_login_url="https://lms.example.org/a",
                               auth_token_url="https://lms.example.org/t",
                               jwks_url="https://lms.example.org/k")
        db.add(platform)
        db.flush()
        link = LtiResourceLink(platform_id=platform.id, deployment_id="1",
                               resource_link_id="week-1")
        course = LtiContext(platform_id=platform.id, context_id="backend-2026")
        db.add_all([link, course])
        db.flush()
        db.add(LtiLearnerLink(user_id=find_by_email(db, "grace@example.org").id,
                              resource_link_id=link.id, sub="grace-at-the-lms"))
        db.commit()
        return {"lti_link": link.id, "lti_course": course.id}


def reset_token_of(app: Flask, email: str) -> str:
    """A live password-reset token of `email`'s account (for the reset page's route)."""
    from webapp.auth import resets
    from webapp.auth.accounts import find_by_email
    from webapp.db import get_session

    with app.app_context():
        db = get_session()
        return resets.issue(db, find_by_email(db, email), resets.lifetime(app.config))


def class_of(app: Flask, email: str) -> int:
    """A class the instructor `email` created, with Ada in it (its pages take its id; Ada's
    work is then theirs to see)."""
    from webapp.auth.accounts import find_by_email
    from webapp.classes.cohorts import create_cohort, enrol
    from webapp.db import get_session

    with app.app_context():
        db = get_session()
        cohort = create_cohort(db, "Backend 2026", "UTC", "best", find_by_email(db, email))
        enrol(db, cohort, find_by_email(db, "ada@example.org"))
        db.commit()
        return cohort.id


@contextlib.contextmanager
def learner_sandboxes() -> Iterator[None]:
    """The operator's opt-in to process sandboxes for learners; in-process workers."""
    with pytest.MonkeyPatch.context() as env:
        allow_process_sandbox(env)
        yield


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with learner_sandboxes():
        world = build_world(tmp_path_factory.mktemp("security"))
        yield world
        if RUNS in world.app.extensions:
            world.app.extensions[RUNS].close_all()
