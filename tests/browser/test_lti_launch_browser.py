"""LTI 1.3 launches in Chromium: from the fake LMS's page, through archlab's login
initiation, the LMS's auth endpoint and its form_post of the id_token, into the lab's
workspace as the LMS user; a broken id_token ends on a page saying why; an instructor
chooses the lab of a link that names none, or adds a lab to the course by deep linking (the
signed response posted back to the LMS through the page's one allowed form target); an LMS
instructor makes a class, maps the course to it and syncs its roster, and a learner who
left the course leaves the class at the next sync. archlab runs with its production
settings; its LTI pages (the refusal, choosing a link's lab, deep linking) are scanned by
axe-core as every other page type is (tests/browser/test_accessibility.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.axe import serious_violations
from tests.support.lti_platform import (
    DEEP_LINKING_REQUEST,
    INSTRUCTOR,
    LEARNER,
    FakePlatform,
    LaunchSpec,
    fake_platform,
)
from tests.support.webapp_server import serving
from webapp import create_app
from webapp.config import REPO_ROOT
from webapp.db import get_session
from webapp.lti.platforms import Registration, add_platform
from webapp.migrate import upgrade

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def lms(tmp_path: Path) -> Iterator[tuple[FakePlatform, str]]:
    """The fake LMS and archlab (real content and labs) registered with each other."""
    app = create_app({"SECRET_KEY": "browser-lti", "CONTENT_DIR": REPO_ROOT / "content",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'archlab.sqlite3'}"})
    upgrade(app.config["DATABASE_URL"])
    with fake_platform() as platform, serving(app) as site:
        with app.app_context():
            add_platform(get_session(), Registration(**platform.registration()))
        platform.connect_tool(site)
        yield platform, site


def test_a_learner_launch_opens_the_lab_signed_in(lms: tuple[FakePlatform, str], page: Any):
    platform, site = lms
    spec = LaunchSpec(sub="learner-7", name="Ada Lovelace", custom={"lab": "rest-api"})
    page.goto(platform.start(spec))
    page.wait_for_url(f"{site}/labs/rest-api")
    assert page.locator("header .user").inner_text() == "Ada Lovelace"
    assert page.get_by_role("button", name="Grade").first.is_visible()
    assert page.problems == []


def test_a_broken_launch_ends_on_a_page_saying_why(lms: tuple[FakePlatform, str], page: Any):
    platform, site = lms
    platform.next_token = {"claims": {"aud": "another-tool"}}
    page.goto(platform.start(LaunchSpec(sub="learner-7")))
    page.wait_for_url(f"{site}/lti/launch")
    assert page.get_by_role("heading", name="LTI launch refused").is_visible()
    assert "addressed to another tool" in page.get_by_role("alert").inner_text()
    assert page.locator("header .user").count() == 0, "a refused launch signs nobody in"
    assert serious_violations(page) == []


def test_an_instructor_chooses_the_lab_of_a_new_link(lms: tuple[FakePlatform, str],
                                                     page: Any):
    platform, site = lms
    spec = LaunchSpec(sub="teacher-1", name="Grace Hopper", roles=(INSTRUCTOR,), custom={})
    page.goto(platform.start(spec))
    page.wait_for_url(f"{site}/lti/links/*/lab")
    assert serious_violations(page) == []
    page.get_by_label("Lab").select_option("cache-aside")
    page.get_by_role("button", name="Open this lab from the link").click()
    page.wait_for_url(f"{site}/labs/cache-aside")
    page.goto(platform.start(LaunchSpec(sub="learner-7", custom={})))
    page.wait_for_url(f"{site}/labs/cache-aside")
    assert page.problems == []


def test_an_instructor_adds_a_lab_through_deep_linking(lms: tuple[FakePlatform, str],
                                                      page: Any):
    platform, site = lms
    page.goto(platform.start(LaunchSpec(sub="teacher-1", roles=(INSTRUCTOR,),
                                        message_type=DEEP_LINKING_REQUEST)))
    page.wait_for_url(f"{site}/lti/deep-link")
    assert serious_violations(page) == []
    page.get_by_label("A slow origin behind Redis: cache-aside").check()
    page.get_by_role("button", name="Add this lab").click()
    page.get_by_role("button", name=re.compile("to the course")).wait_for()
    assert serious_violations(page) == []
    page.get_by_role("button", name=re.compile("to the course")).click()
    page.wait_for_url(f"{platform.url}/deep-link-return")
    assert page.get_by_role("heading", name=re.compile("Added: ")).is_visible()
    assert [item["custom"] for item in platform.content_items] == [{"lab": "cache-aside"}]
    assert page.problems == []


def test_an_lms_instructor_syncs_the_roster_and_who_left_the_course_leaves_the_class(
        lms: tuple[FakePlatform, str], page: Any):
    platform, site = lms
    ada, bob, di, terry = (
        {"user_id": sub, "name": name, "roles": [role], "status": "Active"}
        for sub, name, role in (("learner-7", "Ada Lovelace", LEARNER),
                                ("learner-8", "Bob Babbage", LEARNER),
                                ("learner-9", "Di Late", LEARNER),
                                ("teacher-1", "Terry Teacher", INSTRUCTOR)))
    platform.members = [ada, bob, di, terry]
    page.goto(platform.start(LaunchSpec(sub="teacher-1", name="Terry Teacher",
                                        roles=(INSTRUCTOR,), custom={"lab": "rest-api"})))
    page.wait_for_url(f"{site}/labs/rest-api")
    page.goto(f"{site}/instructor/classes")
    page.get_by_label("Class name").fill("Spring cohort")
    page.get_by_label("Timezone (IANA name)").fill("UTC")
    page.get_by_role("button", name="Create the class").click()
    page.get_by_role("heading", name="Spring cohort").wait_for()
    class_page = page.url

    page.goto(f"{site}/lti/platforms")
    assert page.get_by_role("button", name="Register this LMS").count() == 0, \
        "registering an LMS is an admin's"
    page.get_by_label("Class of Backend architecture, spring").select_option(
        label="Spring cohort")
    page.get_by_role("button", name="Map").click()
    page.get_by_role("button", name="Sync the roster from the LMS").click()
    assert "3 added (3 accounts created, 0 existing), 0 already in the class, 0 removed" in \
        " ".join(page.locator(".flash").inner_text().split())

    platform.members = [ada, {**bob, "status": "Inactive"}, terry]  # Di left, Bob is inactive
    page.get_by_role("button", name="Sync the roster from the LMS").click()
    assert ("1 already in the class, 2 removed (no longer active in the course: Bob Babbage, "
            "Di Late)") in " ".join(page.locator(".flash").inner_text().split())
    page.goto(class_page)
    page.get_by_role("heading", name="Learners (1)").wait_for()
    assert page.locator("table.roster tbody th").all_inner_texts() == ["Ada Lovelace"]
    assert page.problems == []
