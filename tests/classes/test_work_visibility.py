"""Whose work an instructor sees: a learner in two instructors' classes shows each of them
only the work of their own class (the labs it dates, made after the learner joined it), on
every page that shows code or results: a submission's result, files and diff, the learner's
list, the gradebook and its CSV, failure rates and regrades. Work made before joining is
no class's; a lab no class of the learner dates is every class's; an admin sees it all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.classes.class_helpers import create_class, post_class_form
from tests.classes.test_class_gradebook import JOINED, csv_rows, enrol, graded
from tests.grading.grading_helpers import logged_in
from tests.webapp.conftest import csrf_token
from webapp.db import get_session
from webapp.grading.archive import pack
from webapp.lti.passback import counted_score
from webapp.models import (
    ADMIN,
    INSTRUCTOR,
    CheckRecord,
    Cohort,
    Enrollment,
    LtiContext,
    LtiLearnerLink,
    LtiPlatform,
    LtiResourceLink,
    LtiScorePost,
    RegradeItem,
    Submission,
    User,
    utcnow,
)

DAY = timedelta(days=1)


@pytest.fixture
def linus(app: Flask) -> FlaskClient:
    """The instructor of Ada's other class."""
    return logged_in(app, "linus@example.org", INSTRUCTOR)


def submission_with(app: Flask, user_id: int, lab: str, days: int, secret: str) -> int:
    """A graded submission made `days` after Ada joined both classes, whose code says
    `secret`, that failed one check."""
    submission = graded(app, user_id, JOINED + days * DAY, 4, lab=lab)
    with app.app_context():
        session = get_session()
        session.get(Submission, submission).files = pack(
            {"app.py": f"# {secret}\nprint('hi')\n".encode()})
        session.add(CheckRecord(submission_id=submission, attempt=1, position=0,
                                check_id="answers", name=f"Answers ({lab})", status="failed",
                                points=0, max_points=2))
        session.commit()
    return submission


def two_classes(app: Flask, grace: FlaskClient, linus: FlaskClient,
                linus_dates_slow: bool = True) -> dict[str, int]:
    """Grace's class dates Toy items, Linus's Slow items (unless told not to); Ada is in
    both. Her work: a Toy items before joining, one after, and a Slow items."""
    graces, _ = create_class(grace, name="Grace's class", timezone="UTC")
    post_class_form(grace, graces, "due-dates", "due", lab="toy-items",
                    due_at="2099-01-01T00:00", late_until="", penalty="")
    linuss, _ = create_class(linus, name="Linus's class", timezone="UTC")
    if linus_dates_slow:
        post_class_form(linus, linuss, "due-dates", "due", lab="slow-items",
                        due_at="2099-01-01T00:00", late_until="", penalty="")
    ada = enrol(app, graces, "ada@example.org")["ada@example.org"]
    with app.app_context():
        get_session().add(Enrollment(cohort_id=linuss, user_id=ada, joined_at=JOINED))
        get_session().commit()
    return {"graces": graces, "linuss": linuss, "ada": ada,
            "before": submission_with(app, ada, "toy-items", -3, "written-before-joining"),
            "toy": submission_with(app, ada, "toy-items", 2, "toy-for-grace"),
            "slow": submission_with(app, ada, "slow-items", 3, "slow-for-linus")}


def pages_of(submission: int) -> list[str]:
    return [f"/submissions/{submission}", f"/submissions/{submission}/files",
            f"/submissions/{submission}/live"]


def status_of(client: FlaskClient, submission: int) -> set[int]:
    return {client.get(path).status_code for path in pages_of(submission)}


def test_each_instructor_opens_only_their_own_classs_submissions(
        app: Flask, instructor: FlaskClient, linus: FlaskClient) -> None:
    work = two_classes(app, instructor, linus)
    assert status_of(instructor, work["toy"]) == {200}
    assert status_of(instructor, work["slow"]) == {404}, "Linus's class's work"
    assert status_of(instructor, work["before"]) == {404}, "made before Ada joined"
    assert status_of(linus, work["slow"]) == {200}
    assert status_of(linus, work["toy"]) == {404}
    assert status_of(linus, work["before"]) == {404}
    ada = logged_in_as_ada(app)
    for submission in ("before", "toy", "slow"):
        assert status_of(ada, work[submission]) == {200}, "her own work is all hers"


def logged_in_as_ada(app: Flask) -> FlaskClient:
    from tests.webapp.conftest import AuthActions

    client = app.test_client()
    assert AuthActions(client).login("ada@example.org").status_code == 302
    return client


def test_the_learners_list_shows_only_the_instructors_classs_work(
        app: Flask, instructor: FlaskClient, linus: FlaskClient) -> None:
    work = two_classes(app, instructor, linus)
    toy = instructor.get(f"/instructor/gradebook/{work['ada']}/toy-items").get_data(as_text=True)
    assert f"#{work['toy']}<" in toy and f"#{work['before']}<" not in toy
    slow = instructor.get(f"/instructor/gradebook/{work['ada']}/slow-items")
    assert slow.status_code == 200 and "No submissions yet." in slow.get_data(as_text=True)
    theirs = linus.get(f"/instructor/gradebook/{work['ada']}/slow-items").get_data(as_text=True)
    assert f"#{work['slow']}<" in theirs


def test_a_diff_never_shows_code_the_instructor_may_not_see(
        app: Flask, instructor: FlaskClient, linus: FlaskClient) -> None:
    work = two_classes(app, instructor, linus)
    page = instructor.get(f"/submissions/{work['toy']}/files").get_data(as_text=True)
    assert "toy-for-grace" in page
    assert "written-before-joining" not in page, "the earlier submission is no class's work"
    assert "the first of the learner's submissions of this lab that you can see" in page
    own = logged_in_as_ada(app).get(f"/submissions/{work['toy']}/files").get_data(as_text=True)
    assert "written-before-joining" in own, "Ada's own diff is against her previous submission"


def test_the_gradebook_and_its_csv_count_only_each_classs_work(
        app: Flask, instructor: FlaskClient, linus: FlaskClient) -> None:
    work = two_classes(app, instructor, linus)
    for query in ("", f"cohort={work['graces']}"):
        [row] = csv_rows(instructor, query)
        assert (row["Toy items (lab)"], row["Slow items (lab)"]) == ("4", ""), query
    for query in ("", f"cohort={work['linuss']}"):
        [row] = csv_rows(linus, query)
        assert (row["Toy items (lab)"], row["Slow items (lab)"]) == ("", "4"), query
    page = instructor.get("/instructor/gradebook").get_data(as_text=True)
    assert f"/instructor/gradebook/{work['ada']}/toy-items\">4 / 6" in page


def test_failure_rates_count_only_the_instructors_classs_work(
        app: Flask, instructor: FlaskClient, linus: FlaskClient) -> None:
    work = two_classes(app, instructor, linus)
    for query in ("", f"?cohort={work['graces']}"):
        mine = instructor.get(f"/instructor/labs/toy-items/failures{query}").get_data(
            as_text=True)
        assert "Answers (toy-items)" in mine and "1 of 1" in mine, query
        theirs = instructor.get(f"/instructor/labs/slow-items/failures{query}").get_data(
            as_text=True)
        assert "Answers (slow-items)" not in theirs, query
        assert "No graded submissions yet." in theirs, query
    assert "Answers (slow-items)" in linus.get(
        "/instructor/labs/slow-items/failures").get_data(as_text=True)


def regraded(app: Flask, location: str) -> set[int]:
    regrade_id = int(location.rsplit("/", 1)[1])
    with app.app_context():
        return set(get_session().scalars(select(RegradeItem.submission_id).where(
            RegradeItem.regrade_id == regrade_id)))


def test_regrades_take_and_show_only_the_instructors_classs_work(
        app: Flask, instructor: FlaskClient, linus: FlaskClient) -> None:
    work = two_classes(app, instructor, linus)
    token = csrf_token(instructor, "/")
    mine = instructor.post("/instructor/labs/toy-items/regrades", data={"csrf_token": token})
    assert mine.status_code == 303
    assert regraded(app, mine.headers["Location"]) == {work["toy"]}, "not the pre-join one"
    none = instructor.post("/instructor/labs/slow-items/regrades", data={"csrf_token": token})
    assert regraded(app, none.headers["Location"]) == set()
    one = instructor.post(f"/instructor/submissions/{work['slow']}/regrade",
                          data={"csrf_token": token})
    assert one.status_code == 403
    assert "not the work of a class you teach" in one.get_data(as_text=True)
    theirs = linus.post("/instructor/labs/slow-items/regrades",
                        data={"csrf_token": csrf_token(linus, "/")})
    assert regraded(app, theirs.headers["Location"]) == {work["slow"]}
    assert instructor.get(theirs.headers["Location"]).status_code == 403
    assert linus.get(theirs.headers["Location"]).status_code == 200


def test_a_lab_no_class_of_the_learner_dates_is_every_classs_work(
        app: Flask, instructor: FlaskClient, linus: FlaskClient) -> None:
    work = two_classes(app, instructor, linus, linus_dates_slow=False)
    assert status_of(instructor, work["slow"]) == {200}
    assert status_of(linus, work["slow"]) == {200}
    assert status_of(linus, work["toy"]) == {404}, "Grace's class dates Toy items"
    [row] = csv_rows(instructor, "")
    assert row["Slow items (lab)"] == "4"


def test_an_admin_sees_every_submission(
        app: Flask, instructor: FlaskClient, linus: FlaskClient) -> None:
    work = two_classes(app, instructor, linus)
    admin = logged_in(app, "root@example.org", ADMIN)
    for submission in ("before", "toy", "slow"):
        assert status_of(admin, work[submission]) == {200}
    [row] = csv_rows(admin, "")
    assert (row["Toy items (lab)"], row["Slow items (lab)"]) == ("4", "4")


def test_the_grade_a_classs_lms_gets_counts_only_the_classs_work(
        app: Flask, instructor: FlaskClient, linus: FlaskClient) -> None:
    work = two_classes(app, instructor, linus)
    with app.app_context():
        session = get_session()
        ada = session.get(User, work["ada"])
        graces, linuss = session.get(Cohort, work["graces"]), session.get(Cohort, work["linuss"])
        toy = counted_score(session, ada, "toy-items", graces)
        assert toy is not None and toy.submission_id == work["toy"], \
            "the equal score made before joining is earlier, and no class's"
        assert counted_score(session, ada, "slow-items", graces) is None
        slow = counted_score(session, ada, "slow-items", linuss)
        assert slow is not None and slow.submission_id == work["slow"]
        assert counted_score(session, ada, "toy-items", linuss) is None


def test_a_learners_submissions_lead_back_to_the_class_gradebook_they_came_from(
        app: Flask, instructor: FlaskClient, linus: FlaskClient) -> None:
    work = two_classes(app, instructor, linus)
    page = instructor.get(f"/instructor/gradebook?cohort={work['graces']}").get_data(
        as_text=True)
    drill = f"/instructor/gradebook/{work['ada']}/toy-items?cohort={work['graces']}"
    assert f'href="{drill}"' in page, "the cell links to the learner's work in this class"
    learner = instructor.get(drill).get_data(as_text=True)
    assert f'href="/instructor/gradebook?cohort={work["graces"]}">Back to the gradebook' in learner
    assert instructor.get(f"/instructor/gradebook/{work['ada']}/toy-items"
                          f"?cohort={work['linuss']}").status_code == 403


def test_grades_sent_to_each_classs_lms_course_are_listed_for_its_instructors_only(
        app: Flask, instructor: FlaskClient, linus: FlaskClient) -> None:
    """Ada came through two LMS courses, one mapped to each class, and a grade went back
    through each: /lti/scores lists each instructor their own course's, and their "send now"
    touches only those (it tries a platform on a closed loopback port)."""
    work = two_classes(app, instructor, linus)
    with app.app_context():
        session = get_session()
        platform = LtiPlatform(name="LMS", issuer="http://127.0.0.1:9", client_id="archlab",
                               auth_login_url="http://127.0.0.1:9/auth",
                               auth_token_url="http://127.0.0.1:9/token",
                               jwks_url="http://127.0.0.1:9/jwks")
        session.add(platform)
        session.flush()
        for cohort, course, lab in ((work["graces"], "course-grace", "toy-items"),
                                    (work["linuss"], "course-linus", "slow-items")):
            session.add(LtiContext(platform_id=platform.id, context_id=course,
                                   cohort_id=cohort))
            link = LtiResourceLink(platform_id=platform.id, deployment_id="1",
                                   resource_link_id=f"link-{course}", context_id=course,
                                   context_title=f"Title of {course}", lab_id=lab)
            session.add(link)
            session.flush()
            learner_link = LtiLearnerLink(user_id=work["ada"], resource_link_id=link.id,
                                          sub="ada-at-lms")
            session.add(learner_link)
            session.flush()
            session.add(LtiScorePost(learner_link_id=learner_link.id, score_given=4,
                                     score_maximum=6, graded_at=utcnow(), tries=1,
                                     last_error=f"{course} answered 503"))
        session.commit()
    graces = instructor.get("/lti/scores").get_data(as_text=True)
    linuss = linus.get("/lti/scores").get_data(as_text=True)
    assert "course-grace answered 503" in graces and "course-linus" not in graces
    assert "course-linus answered 503" in linuss and "course-grace" not in linuss
    sent = linus.post("/lti/scores/retry", data={"csrf_token": csrf_token(linus, "/lti/scores")},
                      follow_redirects=True).get_data(as_text=True)
    assert "of 1 pending grade" in sent, "his send-now takes his course's one grade"
