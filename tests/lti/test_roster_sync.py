"""Names and Role Provisioning (NRPS 2.0): an instructor of the class an LMS course maps to
syncs the course's roster from the fake LMS, which answers in pages linked by Link
rel="next" to a token got with the NRPS scope; active learners get accounts (as a first
launch would make) and join the class, instructors and inactive members are left out, a
second sync adds nobody twice, and a learner's later launch signs in the same account. A
learner of the LMS who left the course or turned Inactive leaves the class at the next sync
with their work kept; learners who joined otherwise, or are active in another course of the
LMS mapped to the class, stay."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import httpx
from flask import Flask
from sqlalchemy import select

from tests.classes.test_class_gradebook import enrol, graded
from tests.lti.launching import launch
from tests.lti.test_classes import make_class, map_course, relaunch
from tests.support.lti_platform import INSTRUCTOR, LEARNER, FakePlatform, LaunchSpec
from tests.webapp.conftest import AuthActions, csrf_token, log_in_instructor
from webapp.auth.accounts import find_by_email
from webapp.classes.cohorts import grant_extension, members, set_due_date
from webapp.db import get_session
from webapp.models import COUNTS_BEST, Cohort, LtiAccount, LtiContext, Submission, User


def member(sub: str, name: str, role: str = LEARNER, status: str = "Active") -> dict:
    return {"user_id": sub, "name": name, "roles": [role], "status": status}


DUE = datetime(2026, 12, 4, 23, tzinfo=UTC)
ROSTER = [member("learner-7", "Ada Lovelace"), member("learner-8", "Bob Babbage"),
          member("teacher-1", "Terry Teacher", INSTRUCTOR),
          member("learner-9", "Cy Gone", status="Inactive"), member("learner-10", "Di Late")]


def sync(app: Flask) -> tuple[int, str]:
    """Grace (made by map_course, or now) presses Sync on /lti/platforms: the status, and
    the page that says what happened."""
    client = app.test_client()
    with app.app_context():
        session = get_session()
        context = session.scalar(select(LtiContext))
        grace = find_by_email(session, "grace@example.org")
    if grace is None:
        log_in_instructor(app, client)
    else:
        AuthActions(client).login("grace@example.org")
    response = client.post(f"/lti/contexts/{context.id}/roster",
                           data={"csrf_token": csrf_token(client, "/lti/platforms")})
    page = client.get("/lti/platforms").get_data(as_text=True) \
        if response.status_code == 302 else response.get_data(as_text=True)
    return response.status_code, page


def summary(page: str) -> str:
    return " ".join(html.unescape(page).split())


def roster_of(app: Flask, cohort_id: int) -> list[str]:
    with app.app_context():
        session = get_session()
        return [u.display_name for u in members(session, session.get(Cohort, cohort_id))]


def test_a_synced_roster_enrols_the_courses_active_learners_page_by_page(
        tool: str, tool_app: Flask, platform: FakePlatform) -> None:
    platform.members = list(ROSTER)
    relaunch(platform, "learner-7")  # the course (and its memberships URL) is seen once;
    # Ada has her account from this launch, Bob and Di get theirs from the sync
    cohort_id = make_class(tool_app, COUNTS_BEST)
    assert map_course(tool_app, cohort_id) == 302
    status, page = sync(tool_app)
    assert status == 302
    assert ("3 added (2 accounts created, 1 existing), 0 already in the class, 0 removed "
            "(no longer active in the course), 2 not added" in summary(page)), page
    assert roster_of(tool_app, cohort_id) == ["Ada Lovelace", "Bob Babbage", "Di Late"]
    assert [p.split("?")[-1] for p in platform.member_pages] == ["", "page=1", "page=2"]
    with tool_app.app_context():
        accounts = get_session().scalars(select(LtiAccount.sub)).all()
        assert "teacher-1" not in accounts and "learner-9" not in accounts

    platform.members.append(member("learner-11", "Eve Newcomer"))
    status, page = sync(tool_app)
    assert "1 added (1 accounts created, 0 existing), 3 already in the class" in summary(page)
    relaunch(platform, "learner-8")
    with tool_app.app_context():
        assert len(get_session().scalars(
            select(LtiAccount).where(LtiAccount.sub == "learner-8")).all()) == 1, \
            "the launch signs in the account the sync made"


def test_a_course_without_a_class_is_not_synced(
        tool: str, tool_app: Flask, platform: FakePlatform) -> None:
    platform.members = list(ROSTER)
    relaunch(platform, "learner-7")
    status, page = sync(tool_app)
    assert status == 409
    assert "maps to no class" in page
    assert platform.member_pages == []


def test_a_learner_gone_from_the_course_or_inactive_leaves_the_class_with_their_work(
        tool: str, tool_app: Flask, platform: FakePlatform) -> None:
    platform.members = list(ROSTER)
    relaunch(platform, "learner-7")
    cohort_id = make_class(tool_app, COUNTS_BEST)
    assert map_course(tool_app, cohort_id) == 302
    assert sync(tool_app)[0] == 302
    enrol(tool_app, cohort_id, "zed@example.org")  # Zed joined by code
    with tool_app.app_context():
        bob = get_session().scalar(select(LtiAccount.user_id)
                                   .where(LtiAccount.sub == "learner-8"))
    bobs_work = graded(tool_app, bob, datetime(2026, 12, 1, tzinfo=UTC), 4)
    with tool_app.app_context():
        session = get_session()
        cohort = session.get(Cohort, cohort_id)
        set_due_date(session, cohort, "toy-items", DUE, None, 0)
        grant_extension(session, cohort, "toy-items", session.get(User, bob),
                        DUE + timedelta(days=3))

    platform.members = [ROSTER[0], member("learner-8", "Bob Babbage", status="Inactive"),
                        ROSTER[2]]  # Di left the course, Bob is Inactive
    status, page = sync(tool_app)
    assert status == 302
    assert ("0 added (0 accounts created, 0 existing), 1 already in the class, 2 removed (no "
            "longer active in the course: Bob Babbage, Di Late), 2 not added" in summary(page)
            ), page
    assert roster_of(tool_app, cohort_id) == ["Ada Lovelace", "zed"], \
        "Zed joined by code: the LMS's roster does not speak for him"
    with tool_app.app_context():
        session = get_session()
        assert session.get(Submission, bobs_work).score == 4, "Bob's work and grade stay"
        assert session.get(User, bob) is not None
    grace = tool_app.test_client()
    AuthActions(grace).login("grace@example.org")
    assert "Bob Babbage" not in grace.get(
        f"/instructor/gradebook?cohort={cohort_id}").get_data(as_text=True)
    assert grace.get(f"/instructor/gradebook/{bob}/toy-items").status_code == 403, \
        "Bob is none of Grace's learners now"
    assert "Bob Babbage" not in grace.get(f"/instructor/classes/{cohort_id}").get_data(
        as_text=True), "his extension is not listed while he is out of the class"

    platform.members = [*platform.members[:1], member("learner-8", "Bob Babbage")]
    status, page = sync(tool_app)
    assert "1 added (0 accounts created, 1 existing), 1 already in the class, 0 removed" \
        in summary(page), "Bob active again joins again"
    assert grace.get(f"/instructor/gradebook/{bob}/toy-items").status_code == 200
    assert "Bob Babbage: " in grace.get(f"/instructor/classes/{cohort_id}").get_data(
        as_text=True), "his extension is his again"


def test_a_learner_active_in_another_course_mapped_to_the_class_stays(
        tool: str, tool_app: Flask, platform: FakePlatform) -> None:
    platform.members = [member("learner-7", "Ada Lovelace"), member("learner-8", "Bob Babbage")]
    platform.course_members["course-43"] = [member("learner-8", "Bob Babbage")]
    relaunch(platform, "learner-7")
    cohort_id = make_class(tool_app, COUNTS_BEST)
    assert map_course(tool_app, cohort_id) == 302
    assert sync(tool_app)[0] == 302
    assert launch(httpx.Client(), platform, LaunchSpec(
        sub="learner-8", name="Bob Babbage", context_id="course-43",
        context_title="Backend architecture, section B")).status_code == 302
    with tool_app.app_context():
        session = get_session()
        section_b = session.scalar(select(LtiContext).where(LtiContext.context_id == "course-43"))
        section_b.cohort_id = cohort_id  # both sections are one class
        session.commit()

    platform.members = [member("learner-7", "Ada Lovelace")]  # Bob left section A only
    tokens = len(platform.tokens)
    page = sync(tool_app)[1]
    assert "0 removed" in summary(page), page
    assert len(platform.tokens) == tokens + 1, "one token reads both sections"
    assert platform.member_pages[-2:] == ["/courses/course-42/members?",
                                          "/courses/course-43/members?"]
    assert roster_of(tool_app, cohort_id) == ["Ada Lovelace", "Bob Babbage"]
    platform.course_members["course-43"] = []  # and section B too
    url = section_memberships(tool_app, None)
    assert ("nobody removed (Backend architecture, section B maps to the class too and has "
            "given no memberships URL)" in summary(sync(tool_app)[1])), "archlab cannot tell"
    assert roster_of(tool_app, cohort_id) == ["Ada Lovelace", "Bob Babbage"]
    section_memberships(tool_app, url)
    assert "1 removed (no longer active in the course: Bob Babbage)" in summary(sync(tool_app)[1])
    assert roster_of(tool_app, cohort_id) == ["Ada Lovelace"]


def section_memberships(app: Flask, url: str | None) -> str | None:
    """Set section B's memberships URL; the one it had."""
    with app.app_context():
        session = get_session()
        section_b = session.scalar(select(LtiContext).where(LtiContext.context_id == "course-43"))
        had, section_b.memberships_url = section_b.memberships_url, url
        session.commit()
        return had
