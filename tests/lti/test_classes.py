"""An LMS course mapped to an archlab class: its learners join the class at their next
launch, and the grade sent back follows the class's rule (last or best accepted) and its
deadline's late penalty, over a real grade (toy lab, process sandbox, embedded pool)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from flask import Flask
from sqlalchemy import select

from tests.grading.grading_helpers import logged_in, solution_files, starter_files
from tests.lti.launching import eventually, grade_as, launch
from tests.support.lti_platform import INSTRUCTOR as LMS_INSTRUCTOR
from tests.support.lti_platform import FakePlatform, LaunchSpec
from tests.webapp.conftest import AuthActions, csrf_token, log_in_instructor
from webapp.auth.accounts import find_by_email
from webapp.classes.cohorts import create_cohort, set_due_date
from webapp.classes.teaching import add_teacher, instructors
from webapp.db import get_session
from webapp.grading.pool import EmbeddedPool
from webapp.models import (
    ADMIN,
    COUNTS_BEST,
    COUNTS_LAST,
    Cohort,
    Enrollment,
    LtiContext,
    LtiLearnerLink,
    LtiResourceLink,
    User,
)


def make_class(app: Flask, counts: str) -> int:
    with app.app_context():
        session = get_session()
        teacher = User(email="t@example.org", display_name="T", role="instructor",
                       password_hash="!")
        session.add(teacher)
        session.commit()
        return create_cohort(session, "Spring cohort", "UTC", counts, teacher).id


def map_course(app: Flask, cohort_id: int, teaching: bool = True) -> int:
    """Map the fake LMS's course to the class on /lti/platforms, as an instructor does (one
    of the class's instructors unless `teaching` is False); the answer's status."""
    client = app.test_client()
    log_in_instructor(app, client)
    came_from_the_course(app, "grace@example.org")
    with app.app_context():
        session = get_session()
        context = session.scalar(select(LtiContext))
        if teaching:
            grace = session.scalar(select(User).where(User.email == "grace@example.org"))
            add_teacher(session, session.get(Cohort, cohort_id), grace)
            session.commit()
    page = client.get("/lti/platforms").get_data(as_text=True)
    assert "Backend architecture, spring" in page
    assert ("Spring cohort" in page) is teaching, "the classes offered are those Grace teaches"
    mapped = client.post(f"/lti/contexts/{context.id}/class",
                         data={"csrf_token": csrf_token(client, "/lti/platforms"),
                               "cohort_id": str(cohort_id)})
    return mapped.status_code


def came_from_the_course(app: Flask, email: str) -> None:
    """The account `email` launched the course's link (as its LMS instructor would)."""
    with app.app_context():
        session = get_session()
        session.add(LtiLearnerLink(user_id=find_by_email(session, email).id,
                                   resource_link_id=session.scalar(select(LtiResourceLink.id)),
                                   sub=f"lms-{email}"))
        session.commit()


def relaunch(platform: FakePlatform, sub: str) -> None:
    assert launch(httpx.Client(), platform, LaunchSpec(sub=sub)).status_code == 302


def test_learners_of_a_mapped_course_join_the_class(tool: str, tool_app: Flask,
                                                   platform: FakePlatform):
    relaunch(platform, "learner-7")  # the course is seen once before it can be mapped
    cohort_id = make_class(tool_app, COUNTS_BEST)
    assert map_course(tool_app, cohort_id) == 302
    relaunch(platform, "learner-7")
    relaunch(platform, "learner-8")
    with tool_app.app_context():
        members = get_session().scalars(select(Enrollment.user_id)
                                        .where(Enrollment.cohort_id == cohort_id)).all()
    assert len(members) == 2


def test_a_class_that_counts_the_last_submission_sends_the_last(
        tool: str, tool_app: Flask, platform: FakePlatform, pool: EmbeddedPool):
    relaunch(platform, "learner-7")
    assert map_course(tool_app, make_class(tool_app, COUNTS_LAST)) == 302
    relaunch(platform, "learner-7")
    grade_as(tool_app, "learner-7", solution_files())
    eventually(lambda: len(platform.scores) == 1, "the first score")
    worse = grade_as(tool_app, "learner-7", starter_files())
    eventually(lambda: len(platform.scores) == 2, "the second score")
    assert platform.scores[1]["body"]["scoreGiven"] == worse.score


def test_a_late_submission_reaches_the_lms_with_the_class_penalty(
        tool: str, tool_app: Flask, platform: FakePlatform, pool: EmbeddedPool):
    relaunch(platform, "learner-7")
    cohort_id = make_class(tool_app, COUNTS_BEST)
    assert map_course(tool_app, cohort_id) == 302
    relaunch(platform, "learner-7")
    now = datetime.now(UTC)
    with tool_app.app_context():
        session = get_session()
        set_due_date(session, session.get(Cohort, cohort_id), "toy-items",
                     now - timedelta(days=1), now + timedelta(days=1), 50)
    graded = grade_as(tool_app, "learner-7", solution_files())
    eventually(lambda: len(platform.scores) == 1, "the late score")
    body = platform.scores[0]["body"]
    assert (body["scoreGiven"], body["scoreMaximum"]) == (graded.score / 2, graded.max_score)


def test_only_an_instructor_of_the_class_maps_a_course_to_it(
        tool: str, tool_app: Flask, platform: FakePlatform):
    relaunch(platform, "learner-7")
    cohort_id = make_class(tool_app, COUNTS_BEST)
    assert map_course(tool_app, cohort_id, teaching=False) == 403
    with tool_app.app_context():
        session = get_session()
        context = session.scalar(select(LtiContext))
        assert context.cohort_id is None
        context.cohort_id = cohort_id  # as T, who teaches the class, maps it
        session.commit()
    grace = tool_app.test_client()
    AuthActions(grace).login("grace@example.org")
    assert "Backend architecture, spring" not in grace.get("/lti/platforms").get_data(
        as_text=True), "a course of a class Grace does not teach is not listed for her"
    admin = logged_in(tool_app, "root@example.org", ADMIN)
    assert "Backend architecture, spring" in admin.get("/lti/platforms").get_data(as_text=True)


def test_an_lms_instructor_launching_from_a_mapped_course_teaches_its_class(
        tool: str, tool_app: Flask, platform: FakePlatform):
    relaunch(platform, "learner-7")
    cohort_id = make_class(tool_app, COUNTS_BEST)
    assert map_course(tool_app, cohort_id) == 302
    spec = LaunchSpec(sub="teacher-1", name="Terry Teacher", roles=(LMS_INSTRUCTOR,))
    assert launch(httpx.Client(), platform, spec).status_code == 302
    with tool_app.app_context():
        session = get_session()
        names = [u.display_name for u in instructors(session, session.get(Cohort, cohort_id))]
        assert names == ["T", "Grace", "Terry Teacher"]
        enrolled = session.scalars(select(User.display_name).join(
            Enrollment, Enrollment.user_id == User.id).where(Enrollment.cohort_id == cohort_id))
        assert "Terry Teacher" not in list(enrolled), "an instructor is not one of its learners"


def test_the_lab_of_a_link_is_chosen_by_who_launched_it_or_teaches_its_class(
        tool: str, tool_app: Flask, platform: FakePlatform):
    teacher = httpx.Client()
    spec = LaunchSpec(sub="teacher-1", name="Terry Teacher", roles=(LMS_INSTRUCTOR,), custom={})
    chooser = launch(teacher, platform, spec).headers["location"]
    assert chooser.endswith("/lab"), chooser
    assert teacher.get(f"{tool}{chooser}").status_code == 200, "Terry launched the link"
    linus = logged_in(tool_app, "linus@example.org", "instructor")
    assert linus.get(chooser).status_code == 403
    assert linus.post(chooser, data={"csrf_token": csrf_token(linus, "/"), "lab_id": "toy-items"}
                      ).status_code == 403, "the course's learners are none of Linus's"
    cohort_id = make_class(tool_app, COUNTS_BEST)
    assert map_course(tool_app, cohort_id) == 302
    with tool_app.app_context():
        session = get_session()
        add_teacher(session, session.get(Cohort, cohort_id),
                    find_by_email(session, "linus@example.org"))
        session.commit()
    assert linus.get(chooser).status_code == 200, "Linus teaches the course's class now"
    chosen = linus.post(chooser, data={"csrf_token": csrf_token(linus, chooser),
                                       "lab_id": "toy-items"})
    assert chosen.status_code == 302
    with tool_app.app_context():
        assert get_session().scalar(select(LtiResourceLink)).lab_id == "toy-items"
    admin = logged_in(tool_app, "root@example.org", ADMIN)
    assert admin.get(chooser).status_code == 200


def test_a_course_mapped_to_no_class_is_mapped_by_who_launched_from_it(
        tool: str, tool_app: Flask, platform: FakePlatform):
    relaunch(platform, "learner-7")
    with tool_app.app_context():
        context_id = get_session().scalar(select(LtiContext.id))
    linus = logged_in(tool_app, "linus@example.org", "instructor")
    assert "Backend architecture, spring" not in linus.get("/lti/platforms").get_data(
        as_text=True), "Linus never launched from the course"
    assert linus.post("/instructor/classes", data={
        "csrf_token": csrf_token(linus, "/instructor/classes"), "name": "Linus's class",
        "timezone": "UTC", "counts": "best"}).status_code == 303
    with tool_app.app_context():
        his = get_session().scalar(select(Cohort.id).where(Cohort.name == "Linus's class"))
    refused = linus.post(f"/lti/contexts/{context_id}/class", data={
        "csrf_token": csrf_token(linus, "/lti/platforms"), "cohort_id": str(his)})
    assert refused.status_code == 403
    assert "its own instructors (or an admin) map it" in refused.get_data(as_text=True)
    came_from_the_course(tool_app, "linus@example.org")
    assert "Backend architecture, spring" in linus.get("/lti/platforms").get_data(as_text=True)
    assert linus.post(f"/lti/contexts/{context_id}/class", data={
        "csrf_token": csrf_token(linus, "/lti/platforms"), "cohort_id": str(his)}
    ).status_code == 302
