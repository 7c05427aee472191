"""An LMS course mapped to an archlab class: its learners join the class at their next
launch, and the grade sent back follows the class's rule (last or best accepted) and its
deadline's late penalty, over a real grade (toy lab, process sandbox, embedded pool)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from flask import Flask
from sqlalchemy import select

from tests.grading.grading_helpers import solution_files, starter_files
from tests.lti.launching import eventually, grade_as, launch
from tests.support.lti_platform import FakePlatform, LaunchSpec
from tests.webapp.conftest import csrf_token, log_in_instructor
from webapp.classes.cohorts import create_cohort, set_due_date
from webapp.db import get_session
from webapp.grading.pool import EmbeddedPool
from webapp.models import COUNTS_BEST, COUNTS_LAST, Cohort, Enrollment, LtiContext, User


def make_class(app: Flask, counts: str) -> int:
    with app.app_context():
        session = get_session()
        teacher = User(email="t@example.org", display_name="T", role="instructor",
                       password_hash="!")
        session.add(teacher)
        session.commit()
        return create_cohort(session, "Spring cohort", "UTC", counts, teacher).id


def map_course(app: Flask, cohort_id: int) -> None:
    """Map the fake LMS's course to the class on /lti/platforms, as an instructor does."""
    client = app.test_client()
    log_in_instructor(app, client)
    with app.app_context():
        context = get_session().scalar(select(LtiContext))
    page = client.get("/lti/platforms").get_data(as_text=True)
    assert "Backend architecture, spring" in page and "Spring cohort" in page
    mapped = client.post(f"/lti/contexts/{context.id}/class",
                         data={"csrf_token": csrf_token(client, "/lti/platforms"),
                               "cohort_id": str(cohort_id)})
    assert mapped.status_code == 302


def relaunch(platform: FakePlatform, sub: str) -> None:
    assert launch(httpx.Client(), platform, LaunchSpec(sub=sub)).status_code == 302


def test_learners_of_a_mapped_course_join_the_class(tool: str, tool_app: Flask,
                                                   platform: FakePlatform):
    relaunch(platform, "learner-7")  # the course is seen once before it can be mapped
    cohort_id = make_class(tool_app, COUNTS_BEST)
    map_course(tool_app, cohort_id)
    relaunch(platform, "learner-7")
    relaunch(platform, "learner-8")
    with tool_app.app_context():
        members = get_session().scalars(select(Enrollment.user_id)
                                        .where(Enrollment.cohort_id == cohort_id)).all()
    assert len(members) == 2


def test_a_class_that_counts_the_last_submission_sends_the_last(
        tool: str, tool_app: Flask, platform: FakePlatform, pool: EmbeddedPool):
    relaunch(platform, "learner-7")
    map_course(tool_app, make_class(tool_app, COUNTS_LAST))
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
    map_course(tool_app, cohort_id)
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
