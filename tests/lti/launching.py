"""Launching as a browser would, over HTTP: the LMS's login initiation to archlab, archlab's
redirect to the LMS's auth endpoint, and the LMS's form_post of the id_token back; then
grading as the LMS user and waiting for what reaches the LMS."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable

import httpx
import pytest
from flask import Flask
from sqlalchemy import select

from tests.grading.grading_helpers import finished, wait_for
from tests.support.lti_platform import FakePlatform, LaunchSpec
from webapp.db import get_session
from webapp.grading.service import submit
from webapp.models import LtiAccount, Submission, User

FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
ACTION = re.compile(r'<form method="post" action="([^"]+)">')


def posted_form(page: str) -> tuple[str, dict[str, str]]:
    """The action and fields of the auto-posting form on an LMS page."""
    action = ACTION.search(page)
    assert action, f"expected an auto-posting form, got: {page[:300]}"
    return html.unescape(action.group(1)), {html.unescape(k): html.unescape(v)
                                            for k, v in FIELD.findall(page)}


def start_login(browser: httpx.Client, platform: FakePlatform, spec: LaunchSpec
                ) -> tuple[str, dict[str, str]]:
    """Up to the LMS's answer: the launch form it would post (action, id_token and state)."""
    hint = platform.start(spec).rsplit("/", 1)[1]
    login = browser.post(platform.tool_login, data=platform.login_params(hint))
    assert login.status_code == 302, f"expected a redirect to the LMS, got {login.status_code}"
    auth = httpx.get(login.headers["location"])
    assert auth.status_code == 200, f"the LMS refused archlab's auth request: {auth.text}"
    return posted_form(auth.text)


def launch(browser: httpx.Client, platform: FakePlatform, spec: LaunchSpec) -> httpx.Response:
    """The whole launch; returns archlab's answer to the id_token's form_post."""
    action, fields = start_login(browser, platform, spec)
    return browser.post(action, data=fields)


def grade_as(app: Flask, sub: str, files: dict[str, bytes]) -> Submission:
    """Submit `files` to the toy lab as the LMS user `sub` and wait for the grade."""
    with app.app_context():
        session = get_session()
        account = session.scalar(select(LtiAccount).where(LtiAccount.sub == sub))
        submission_id = submit(session, session.get(User, account.user_id), "toy-items",
                               files).id
    return wait_for(app, submission_id, finished, what="the grade")


def eventually(condition: Callable[[], bool], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"expected {what} within {timeout:g}s", pytrace=False)
        time.sleep(0.05)
