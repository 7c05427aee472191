"""Names and Role Provisioning (NRPS 2.0): an instructor of the class an LMS course maps to
syncs the course's roster from the fake LMS, which answers in pages linked by Link
rel="next" to a token got with the NRPS scope; active learners get accounts (as a first
launch would make) and join the class, instructors and inactive members are left out, a
second sync adds nobody twice, and a learner's later launch signs in the same account."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from tests.lti.test_classes import make_class, map_course, relaunch
from tests.support.lti_platform import INSTRUCTOR, LEARNER, FakePlatform
from tests.webapp.conftest import AuthActions, csrf_token, log_in_instructor
from webapp.auth.accounts import find_by_email
from webapp.classes.cohorts import members
from webapp.db import get_session
from webapp.models import COUNTS_BEST, Cohort, LtiAccount, LtiContext


def member(sub: str, name: str, role: str = LEARNER, status: str = "Active") -> dict:
    return {"user_id": sub, "name": name, "roles": [role], "status": status}


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
    assert ("2 accounts created, 1 enrolled, 0 already in the class, 2 skipped"
            in page.replace("\n", " ")), page
    assert roster_of(tool_app, cohort_id) == ["Ada Lovelace", "Bob Babbage", "Di Late"]
    assert [p.split("?")[-1] for p in platform.member_pages] == ["", "page=1", "page=2"]
    with tool_app.app_context():
        accounts = get_session().scalars(select(LtiAccount.sub)).all()
        assert "teacher-1" not in accounts and "learner-9" not in accounts

    platform.members.append(member("learner-11", "Eve Newcomer"))
    status, page = sync(tool_app)
    assert "1 accounts created, 0 enrolled, 3 already in the class" in page.replace("\n", " ")
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
