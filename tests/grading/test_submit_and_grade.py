"""A submission goes from the upload route to a graded result page on the real process sandbox."""

from __future__ import annotations

import io
import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from labs.results import CheckResult, Status
from tests.grading.grading_helpers import (
    finished,
    logged_in,
    solution_files,
    starter_files,
    submit_as,
    wait_for,
)
from tests.webapp.conftest import csrf_token
from webapp.db import get_session
from webapp.grading import attempts
from webapp.grading.pool import EmbeddedPool
from webapp.grading.service import best_scores, current_checks
from webapp.models import CheckRecord, Submission


def upload(client: FlaskClient, lab_id: str, files: dict[str, bytes]):  # type: ignore[no-untyped-def]
    data: dict[str, object] = {"csrf_token": csrf_token(client, "/")}
    data["files"] = [(io.BytesIO(body), name) for name, body in files.items()]
    return client.post(f"/labs/{lab_id}/submissions", data=data,
                       content_type="multipart/form-data")


def submission_id_of(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 303, f"expected 303, got {response.status_code}"
    match = re.search(r"/submissions/(\d+)$", response.headers["Location"])
    assert match, f"expected a redirect to /submissions/<id>, got {response.headers['Location']}"
    return int(match.group(1))


def test_upload_is_stored_queued_before_any_worker_runs(app: Flask, learner) -> None:
    submission_id = submission_id_of(upload(learner, "toy-items", solution_files()))
    with app.app_context():
        submission = get_session().get(Submission, submission_id)
        assert (submission.status, submission.attempt, submission.lab_id) == (
            "queued", 0, "toy-items")
    page = learner.get(f"/submissions/{submission_id}").get_data(as_text=True)
    assert "Waiting for a grader." in page
    assert 'hx-trigger="every 300ms"' in page


def test_solution_is_graded_full_marks_and_streams_rows(app: Flask, learner, pool) -> None:
    submission_id = submission_id_of(upload(learner, "toy-items", solution_files()))
    submission = wait_for(app, submission_id, finished, what="the grade to finish")
    assert (submission.status, submission.verdict, submission.score, submission.max_score) == (
        "graded", "graded", 6, 6)
    timings = json.loads(submission.details)["timings"]
    assert timings["checks_s"] > 0 and timings["teardown_s"] > 0, timings
    page = learner.get(f"/submissions/{submission_id}").get_data(as_text=True)
    assert 'id="score">6 / 6<' in page
    assert page.count('class="check check-passed"') == 3
    assert 'id="poller"></div>' in page, "a finished result must stop polling"
    live = learner.get(f"/submissions/{submission_id}/live?attempt=1&after=0")
    body = live.get_data(as_text=True)
    assert body.count('class="check check-passed"') == 3, "the last poll sends the whole list"
    assert '<ol id="check-rows" hx-swap-oob="innerHTML">' in body


def test_starter_scores_partially_with_message_and_hint(app: Flask, learner, pool) -> None:
    submission_id = submission_id_of(upload(learner, "toy-items", starter_files()))
    wait_for(app, submission_id, finished, what="the grade to finish")
    page = learner.get(f"/submissions/{submission_id}").get_data(as_text=True)
    assert 'id="score">1 / 6<' in page
    assert "expected 201, got 501 from POST /items" in page
    assert "Hint: Return 201 Created and the new item&#39;s integer id." in page
    assert page.count('class="check check-failed"') == 1, "the blocked check is no failure"
    assert 'data-check="item_can_be_read_back" data-blocked-by' not in page, \
        "once graded, a blocked check is no row of its own"
    assert re.search(r'<p class="check-not-run" data-not-run-because="create_item_returns_201">'
                     r'Not run because of this \(3 points\): <span class="not-run-name" '
                     r'data-check="item_can_be_read_back">A created item can be read back<', page)
    assert re.search(r'<li data-root="create_item_returns_201"><strong>Creating an item answers '
                     r"201 with its id</strong> did not pass: expected 201, got 501 from POST "
                     r"/items: .*1 check that needs it was not run.</li>", page)


def test_a_new_attempt_replaces_the_rows_the_page_shows(app: Flask, learner, pool) -> None:
    submission_id = submission_id_of(upload(learner, "toy-items", solution_files()))
    wait_for(app, submission_id, finished, what="the grade to finish")
    body = learner.get(f"/submissions/{submission_id}/live?attempt=0&after=5").get_data(
        as_text=True)
    assert '<ol id="check-rows" hx-swap-oob="innerHTML">' in body
    assert body.count('class="check check-passed"') == 3


def test_metrics_and_charts_are_drawn_after_the_grade(app: Flask, learner, pool) -> None:
    submission_id = submission_id_of(upload(learner, "slow-items", solution_files()))
    wait_for(app, submission_id, finished, what="the grade to finish")
    page = learner.get(f"/submissions/{submission_id}").get_data(as_text=True)
    assert "vendor/chart.umd.min.js" in page
    assert page.count("<canvas data-chart=") == 2
    assert "&#34;kind&#34;: &#34;bar&#34;" in page
    assert "&#34;labels&#34;: [&#34;0&#34;, &#34;1&#34;, &#34;2&#34;]" in page
    assert ("<th scope=\"row\">p50 latency</th><td>12.5 ms</td><td>Takes its time and "
            "reports numbers</td>") in page, "a metric names its check by title"
    assert "<figcaption>latency percentiles</figcaption>" in page
    assert "takes_its_time" not in page.split('id="final"')[1], "no check id under the charts"


def test_an_app_that_does_not_start_is_told_once_with_its_syntax_error(app: Flask, learner,
                                                                        pool) -> None:
    broken = solution_files()["app.py"].replace(b"def reply(", b"def reply((")
    submission_id = submission_id_of(upload(learner, "toy-items", {"app.py": broken}))
    wait_for(app, submission_id, finished, what="the grade to finish")
    page = learner.get(f"/submissions/{submission_id}").get_data(as_text=True)
    cause = re.search(r'<div class="cause" id="cause">(.*?)</div>', page, re.S).group(1)
    assert "<strong>The grade stopped:</strong> the service &#34;app&#34; never became ready" \
        in cause
    assert "3 checks were not run because of it." in cause
    line = broken.decode().splitlines().index(next(
        text for text in broken.decode().splitlines() if "def reply((" in text)) + 1
    assert re.search(rf'<pre class="cause-line">SyntaxError: .* at app.py:{line}</pre>', cause)
    assert page.count("never became ready") == 1, "the cause is said once"
    assert page.count('class="check ') == 0 and page.count('class="not-run"') == 1
    assert re.search(r"Not run because the grade stopped \(6 points\): <span "
                     r'class="not-run-name" data-check="health_answers">', page)
    assert '<details class="log-tail" open>' in page, "the log is not folded away"


def test_evidence_is_escaped(app: Flask, learner, pool) -> None:
    hostile = starter_files()["app.py"].replace(b'"not implemented"',
                                                b'"<script>alert(1)</script>"')
    submission_id = submit_as(app, "ada@example.org", "toy-items", {"app.py": hostile})
    wait_for(app, submission_id, finished, what="the grade to finish")
    with app.app_context():
        evidence = " ".join(r.evidence or "" for r in get_session().query(CheckRecord))
    assert "<script>alert(1)</script>" in evidence, "expected the body in the evidence"
    page = learner.get(f"/submissions/{submission_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page


def test_history_lists_submissions_and_best_score(app: Flask, learner, pool) -> None:
    first = submission_id_of(upload(learner, "toy-items", starter_files()))
    wait_for(app, first, finished)
    second = submission_id_of(upload(learner, "toy-items", solution_files()))
    wait_for(app, second, finished)
    page = learner.get("/labs/toy-items/submissions").get_data(as_text=True)
    assert f'href="/submissions/{first}">#{first}<' in page
    assert f'href="/submissions/{second}">#{second}<' in page
    assert "Your best score, any time and any class: <strong>6 / 6</strong> (100%)" in page
    with app.app_context():
        session = get_session()
        assert [r.position for r in current_checks(session, session.get(Submission, second))
                ] == [0, 1, 2]
        (best,) = best_scores(session).values()
        assert (best.score, best.submissions) == (6, 2)


def test_unknown_lab_and_bad_files_are_refused(learner) -> None:
    assert upload(learner, "no-such-lab", solution_files()).status_code == 404
    response = upload(learner, "toy-items", {"../app.py": b"x"})
    assert response.status_code == 400
    assert "may not contain" in response.get_data(as_text=True)
    assert upload(learner, "toy-items", {}).status_code == 400


@pytest.mark.postgres
def test_grading_on_postgresql(make_app, postgres_url: str) -> None:  # type: ignore[no-untyped-def]
    app = make_app(DATABASE_URL=postgres_url)
    learner = logged_in(app, "ada@example.org")
    pool = EmbeddedPool(app, workers=2).start()
    try:
        ids = [submission_id_of(upload(learner, "toy-items", files))
               for files in (solution_files(), starter_files())]
        scores = [wait_for(app, i, finished, what="the grade to finish").score for i in ids]
    finally:
        pool.stop()
    assert scores == [6, 1]


def test_poll_sends_only_new_rows_and_asks_after_the_last(app: Flask, learner) -> None:
    submission_id = submission_id_of(upload(learner, "toy-items", solution_files()))
    with app.app_context():
        session = get_session()
        claim = attempts.claim(session, submission_id, lease_s=30)
        assert claim is not None
        attempts.start_checks(session, claim, 3, lease_s=30)
        for position, name in enumerate(("one", "two")):
            attempts.record_check(session, claim, position, CheckResult(
                id=name, name=name, status=Status.PASSED, points=1, max_points=1), lease_s=30)
    body = learner.get(f"/submissions/{submission_id}/live?attempt=1&after=0").get_data(
        as_text=True)
    assert 'data-check="two"' in body and 'data-check="one"' not in body
    assert f"/submissions/{submission_id}/live?attempt=1&amp;after=1" in body
    assert "Checks finished: 2 of 3" in body
    assert 'value="2"' in body
