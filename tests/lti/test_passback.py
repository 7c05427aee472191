"""Grades reach the LMS: after a real grade (toy lab, process sandbox, embedded pool) of a
learner who came through an LMS link, the fake LMS receives the score on the link's line
item (or on one archlab makes for the lab) with AGS's media type and fields, under an access
token it issued for archlab's signed client assertion. A platform that fails keeps the grade
pending and visible to the instructor until a retry gets it through."""

from __future__ import annotations

import time
from datetime import datetime

import httpx
from flask import Flask
from sqlalchemy import select

from tests.grading.grading_helpers import logged_in, solution_files, starter_files
from tests.lti.launching import eventually, grade_as, launch
from tests.support.lti_platform import SCORE_TYPE, FakePlatform, LaunchSpec
from tests.webapp.conftest import csrf_token, log_in_instructor
from webapp.auth.accounts import find_by_email
from webapp.classes.cohorts import create_cohort, enrol
from webapp.db import get_session
from webapp.grading.pool import EmbeddedPool
from webapp.lti import passback
from webapp.models import COUNTS_BEST, INSTRUCTOR, LtiAccount, LtiScorePost, User


def launched_learner(platform: FakePlatform, spec: LaunchSpec) -> None:
    assert launch(httpx.Client(), platform, spec).status_code == 302


def teach(app: Flask, instructor: str, sub: str) -> None:
    """A class of `instructor`'s with the learner of the LMS's `sub` in it."""
    with app.app_context():
        session = get_session()
        learner = session.get(User, session.scalar(
            select(LtiAccount.user_id).where(LtiAccount.sub == sub)))
        cohort = create_cohort(session, "Spring cohort", "UTC", COUNTS_BEST,
                               find_by_email(session, instructor))
        enrol(session, cohort, learner)
        session.commit()


def posts(app: Flask) -> list[LtiScorePost]:
    with app.app_context():
        return list(get_session().scalars(select(LtiScorePost)))


def test_a_graded_submission_reaches_the_line_item_of_the_link(
        tool: str, tool_app: Flask, platform: FakePlatform, pool: EmbeddedPool):
    launched_learner(platform, LaunchSpec(sub="learner-7"))
    graded = grade_as(tool_app, "learner-7", solution_files())
    assert graded.status == "graded" and graded.score == graded.max_score
    eventually(lambda: len(platform.scores) == 1, "one score at the LMS")
    received = platform.scores[0]
    assert received["lineitem"] == f"{platform.url}/lineitems/1"
    assert received["content_type"] == SCORE_TYPE
    body = received["body"]
    assert {k: body[k] for k in ("userId", "scoreGiven", "scoreMaximum", "activityProgress",
                                 "gradingProgress")} == {
        "userId": "learner-7", "scoreGiven": graded.score, "scoreMaximum": graded.max_score,
        "activityProgress": "Completed", "gradingProgress": "FullyGraded"}
    assert datetime.fromisoformat(body["timestamp"]).utcoffset() is not None
    assert len(platform.assertion_ids) == 1, "one client assertion for one token"
    eventually(lambda: posts(tool_app)[0].sent_at is not None, "the post marked sent")


def test_the_counted_score_is_the_best_one(
        tool: str, tool_app: Flask, platform: FakePlatform, pool: EmbeddedPool):
    launched_learner(platform, LaunchSpec(sub="learner-7"))
    best = grade_as(tool_app, "learner-7", solution_files())
    eventually(lambda: len(platform.scores) == 1, "the first score")
    worse = grade_as(tool_app, "learner-7", starter_files())
    assert worse.score < best.score
    eventually(lambda: len(platform.scores) == 2, "the second score")
    assert platform.scores[1]["body"]["scoreGiven"] == best.score


def test_with_only_a_line_items_url_archlab_makes_one_line_item_for_the_lab(
        tool: str, tool_app: Flask, platform: FakePlatform, pool: EmbeddedPool):
    launched_learner(platform, LaunchSpec(sub="learner-7", ags="lineitems"))
    launched_learner(platform, LaunchSpec(sub="learner-8", ags="lineitems"))
    assert platform.lineitems == {}
    first = grade_as(tool_app, "learner-7", solution_files())
    eventually(lambda: len(platform.scores) == 1, "the first learner's score")
    grade_as(tool_app, "learner-8", starter_files())
    eventually(lambda: len(platform.scores) == 2, "the second learner's score")
    [item] = platform.lineitems.values()
    assert (item["resourceId"], item["resourceLinkId"], item["scoreMaximum"]) == (
        "toy-items", "link-1", first.max_score)
    assert {s["lineitem"] for s in platform.scores} == {item["id"]}
    assert [s["body"]["userId"] for s in platform.scores] == ["learner-7", "learner-8"]


def test_a_failed_passback_keeps_the_grade_and_is_sent_on_retry(
        tool: str, tool_app: Flask, platform: FakePlatform, pool: EmbeddedPool):
    launched_learner(platform, LaunchSpec(sub="learner-7", name="Ada Lovelace"))
    platform.score_failures = 1
    graded = grade_as(tool_app, "learner-7", solution_files())
    assert graded.status == "graded"
    eventually(lambda: posts(tool_app) and posts(tool_app)[0].tries == 1, "a failed try")
    [post] = posts(tool_app)
    assert post.sent_at is None and "answered 503" in post.last_error
    assert post.score_given == graded.score
    assert passback.send_due(tool_app) == 0, "not due before its retry time"
    other = logged_in(tool_app, "linus@example.org", INSTRUCTOR)
    assert "No grade has gone to an LMS yet" in other.get("/lti/scores").get_data(
        as_text=True), "Linus teaches no class of Ada's"
    token = csrf_token(other, "/lti/scores")
    assert "0 of 0 pending grades reached the LMS" in other.post(
        "/lti/scores/retry", data={"csrf_token": token}, follow_redirects=True).get_data(
        as_text=True)
    assert platform.scores == [], "his retry leaves another class's grades alone"
    instructor = tool_app.test_client()
    log_in_instructor(tool_app, instructor)
    teach(tool_app, "grace@example.org", "learner-7")
    page = instructor.get("/lti/scores").get_data(as_text=True)
    assert "Ada Lovelace" in page and "pending after 1 try" in page and "answered 503" in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    retried = instructor.post("/lti/scores/retry", data={"csrf_token": token},
                              follow_redirects=True).get_data(as_text=True)
    assert "1 of 1 pending grade reached the LMS" in retried
    assert [s["body"]["scoreGiven"] for s in platform.scores] == [graded.score]
    assert posts(tool_app)[0].sent_at is not None


def test_a_pending_post_is_sent_once_its_retry_time_came(
        tool: str, tool_app: Flask, platform: FakePlatform, pool: EmbeddedPool):
    launched_learner(platform, LaunchSpec(sub="learner-7"))
    platform.score_failures = 1
    grade_as(tool_app, "learner-7", solution_files())
    eventually(lambda: posts(tool_app) and posts(tool_app)[0].tries == 1, "a failed try")
    pool.stop()  # its janitor sends what is due every 15 s: it could take this round's post
    with tool_app.app_context():
        session = get_session()
        session.scalar(select(LtiScorePost)).next_try_at = datetime.now().astimezone()
        session.commit()
    assert passback.send_due(tool_app) == 1  # the janitor's round
    assert len(platform.scores) == 1


def test_retries_wait_longer_after_each_failure():
    waits = [passback.retry_wait(tries).total_seconds() for tries in (1, 2, 3, 8, 30)]
    assert waits == [30, 60, 120, 3600, 3600]


def test_a_learner_who_never_came_from_the_lms_sends_nothing(
        tool: str, tool_app: Flask, platform: FakePlatform, pool: EmbeddedPool):
    launched_learner(platform, LaunchSpec(sub="learner-7", custom={"lab": "no-such-lab"}))
    graded = grade_as(tool_app, "learner-7", solution_files())  # a link to another lab
    assert graded.status == "graded"
    time.sleep(0.5)
    assert posts(tool_app) == [] and platform.scores == []
