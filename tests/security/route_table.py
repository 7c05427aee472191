"""Every route of the site, classified: who may use it and what it answers.

A rule missing here fails tests/security/test_route_table.py, so a new route cannot reach
production without someone deciding who may call it.

Access classes:
  PUBLIC      anyone, logged in or not
  LOGGED_IN   any logged-in user; shows nothing that belongs to another learner
  OWNER       a logged-in user's own records only (drafts, runs, submissions, progress):
              another learner's record by id answers 404; instructors may read submissions
  INSTRUCTOR  instructors only: learners get 403, anonymous users the login page
  LMS         sent or started by an LMS's pages (LTI login initiation and launch): no session
              and no CSRF token; the signed id_token, state and nonce guard them (tests/lti)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Flask
from werkzeug.routing import Rule

PUBLIC = "public"
LOGGED_IN = "logged-in"
OWNER = "owner"
INSTRUCTOR = "instructor"
LMS = "lms"

PAGE = "text/html"
JSON = "application/json"
FILE = "file"  # a download or asset: its own media type
REDIRECT = "redirect"  # a form post that answers 303/302 to a page
WEBSOCKET = "websocket"  # a WebSocket handshake (tests/workspace/test_terminal.py)
LAUNCH_PAGE = "launch-page"  # a page of an LMS launch under way: 400 outside one (tests/lti)
POLLED_PART = "polled-part"  # what htmx polls while a job runs: 404 when none runs

STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    access: str
    answers: str


ROUTES: dict[tuple[str, str], Route] = {
    ("course.home", "GET"): Route(PUBLIC, PAGE),
    ("course.chapter", "GET"): Route(PUBLIC, PAGE),
    ("course.quiz", "POST"): Route(PUBLIC, PAGE),
    ("course.content_asset", "GET"): Route(PUBLIC, FILE),
    ("course.highlight_css", "GET"): Route(PUBLIC, FILE),
    ("static", "GET"): Route(PUBLIC, FILE),
    ("auth.login", "GET"): Route(PUBLIC, PAGE),
    ("auth.login", "POST"): Route(PUBLIC, PAGE),
    ("auth.register", "GET"): Route(PUBLIC, PAGE),
    ("auth.register", "POST"): Route(PUBLIC, PAGE),
    ("auth.logout", "POST"): Route(PUBLIC, REDIRECT),
    ("auth.forgot_password", "GET"): Route(PUBLIC, PAGE),
    ("auth.forgot_password", "POST"): Route(PUBLIC, PAGE),
    ("auth.reset_password", "GET"): Route(PUBLIC, PAGE),
    ("auth.reset_password", "POST"): Route(PUBLIC, REDIRECT),
    ("auth.logout_everywhere", "POST"): Route(LOGGED_IN, REDIRECT),
    ("api_spec.openapi_json", "GET"): Route(PUBLIC, JSON),
    ("ops.healthz", "GET"): Route(PUBLIC, JSON),
    ("ops.readyz", "GET"): Route(PUBLIC, JSON),
    ("ops.metrics", "GET"): Route(PUBLIC, FILE),
    ("progress.index", "GET"): Route(OWNER, PAGE),
    ("labs.lab", "GET"): Route(LOGGED_IN, PAGE),
    ("labs.draft", "GET"): Route(OWNER, JSON),
    ("labs.save_file", "POST"): Route(OWNER, JSON),
    ("labs.delete_file", "POST"): Route(OWNER, JSON),
    ("labs.rename_file", "POST"): Route(OWNER, JSON),
    ("labs.reset", "POST"): Route(OWNER, JSON),
    ("labs.upload", "POST"): Route(OWNER, JSON),
    ("labs.download", "GET"): Route(OWNER, FILE),
    ("labs.restore", "POST"): Route(OWNER, REDIRECT),
    ("labs.grade", "POST"): Route(OWNER, REDIRECT),
    ("labs.run.start", "POST"): Route(OWNER, JSON),
    ("labs.run.status", "GET"): Route(OWNER, JSON),
    ("labs.run.send_request", "POST"): Route(OWNER, JSON),
    ("labs.run.stop", "POST"): Route(OWNER, JSON),
    ("labs.terminal.open_terminal", "GET"): Route(OWNER, WEBSOCKET),
    ("grading.create", "POST"): Route(OWNER, REDIRECT),
    ("grading.history", "GET"): Route(OWNER, PAGE),
    ("grading.show", "GET"): Route(OWNER, PAGE),
    ("grading.live", "GET"): Route(OWNER, PAGE),
    ("grading.files", "GET"): Route(OWNER, PAGE),
    ("instructor.dashboard", "GET"): Route(INSTRUCTOR, PAGE),
    ("instructor.content", "GET"): Route(INSTRUCTOR, PAGE),
    ("instructor.content", "POST"): Route(INSTRUCTOR, PAGE),
    ("instructor.gradebook", "GET"): Route(INSTRUCTOR, PAGE),
    ("instructor.gradebook_csv", "GET"): Route(INSTRUCTOR, FILE),
    ("instructor.learner_submissions", "GET"): Route(INSTRUCTOR, PAGE),
    ("instructor.failures", "GET"): Route(INSTRUCTOR, PAGE),
    ("instructor.preview", "GET"): Route(INSTRUCTOR, PAGE),
    ("instructor.start_preview", "POST"): Route(INSTRUCTOR, REDIRECT),
    ("instructor.preview_table", "GET"): Route(INSTRUCTOR, POLLED_PART),  # test_lab_preview
    ("instructor.regrade", "POST"): Route(INSTRUCTOR, REDIRECT),
    ("instructor.regrade_result", "GET"): Route(INSTRUCTOR, PAGE),
    ("instructor.accounts", "GET"): Route(INSTRUCTOR, PAGE),
    ("instructor.regrade_submission", "POST"): Route(INSTRUCTOR, REDIRECT),
    ("instructor.regrade_live", "GET"): Route(INSTRUCTOR, PAGE),
    ("instructor.classes", "GET"): Route(INSTRUCTOR, PAGE),
    ("instructor.classes", "POST"): Route(INSTRUCTOR, REDIRECT),
    ("instructor.cohort", "GET"): Route(INSTRUCTOR, PAGE),
    ("instructor.cohort_settings", "POST"): Route(INSTRUCTOR, REDIRECT),
    ("instructor.cohort_roster", "POST"): Route(INSTRUCTOR, REDIRECT),
    ("instructor.cohort_due_date", "POST"): Route(INSTRUCTOR, REDIRECT),
    ("instructor.cohort_extension", "POST"): Route(INSTRUCTOR, REDIRECT),
    ("instructor.cohort_instructor", "POST"): Route(INSTRUCTOR, REDIRECT),
    ("classes.join_class", "GET"): Route(LOGGED_IN, PAGE),
    ("classes.join_class", "POST"): Route(LOGGED_IN, REDIRECT),
    ("instructor.password_reset", "POST"): Route(INSTRUCTOR, PAGE),
    ("lti.jwks", "GET"): Route(PUBLIC, JSON),
    ("lti.login", "GET"): Route(LMS, REDIRECT),
    ("lti.login", "POST"): Route(LMS, REDIRECT),
    ("lti.launch", "POST"): Route(LMS, REDIRECT),
    ("lti.not_ready", "GET"): Route(PUBLIC, LAUNCH_PAGE),
    ("lti.deep_link", "GET"): Route(INSTRUCTOR, LAUNCH_PAGE),
    ("lti.deep_link", "POST"): Route(INSTRUCTOR, LAUNCH_PAGE),
    ("lti.platforms", "GET"): Route(INSTRUCTOR, PAGE),
    ("lti.platforms", "POST"): Route(INSTRUCTOR, PAGE),
    ("lti.choose_lab", "GET"): Route(INSTRUCTOR, PAGE),
    ("lti.choose_lab", "POST"): Route(INSTRUCTOR, REDIRECT),
    ("lti.scores", "GET"): Route(INSTRUCTOR, PAGE),
    ("lti.retry_scores", "POST"): Route(INSTRUCTOR, REDIRECT),
    ("lti.map_context", "POST"): Route(INSTRUCTOR, REDIRECT),
    ("lti.sync_context_roster", "POST"): Route(INSTRUCTOR, REDIRECT),
}

PARAMETER = re.compile(r"<(?:[^:<>]+:)?(\w+)>")


def endpoints(app: Flask) -> list[tuple[Rule, str]]:
    """(rule, method) for every rule of the app, HEAD and OPTIONS left out (Flask adds them)."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule, method))
    return found


def fill(rule: Rule, values: dict[str, object]) -> str:
    """The rule's path with each <parameter> replaced by values[parameter]."""
    return PARAMETER.sub(lambda match: str(values[match.group(1)]), rule.rule)
