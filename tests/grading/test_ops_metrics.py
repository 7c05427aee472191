"""/metrics: what Prometheus reads after real grades on the process sandbox: grades by
verdict, their duration histogram, sandbox failures, and the queue read from the database."""

from __future__ import annotations

from flask import Flask
from prometheus_client.parser import text_string_to_metric_families
from test_infrastructure_errors import grade_with

from tests.grading.grading_helpers import add_user, solution_files, submit_as


def scrape(app: Flask) -> dict[tuple[str, tuple], float]:
    response = app.test_client().get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for sample in family.samples}


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_a_grade_is_counted_timed_and_its_sandbox_failures_too(make_app) -> None:  # type: ignore[no-untyped-def]
    before = scrape(make_app())
    app, submission, sandbox = grade_with(make_app, failures=1)
    after = scrape(app)
    lab = {"lab": "toy-items"}
    assert submission.status == "graded" and sandbox.starts == 2
    assert value(after, "archlab_grades_total", verdict="graded", **lab) == value(
        before, "archlab_grades_total", verdict="graded", **lab) + 1
    assert value(after, "archlab_sandbox_failures_total", **lab) == value(
        before, "archlab_sandbox_failures_total", **lab) + 1
    assert value(after, "archlab_grade_duration_seconds_count", **lab) == value(
        before, "archlab_grade_duration_seconds_count", **lab) + 2
    assert value(after, "archlab_grade_duration_seconds_sum", **lab) > value(
        before, "archlab_grade_duration_seconds_sum", **lab)
    assert value(after, "archlab_grades_last_minute") == 1
    assert value(after, "archlab_queue_depth") == 0


def test_queue_depth_counts_submissions_nobody_has_taken(app: Flask) -> None:
    add_user(app, "ada@example.org")
    add_user(app, "bob@example.org")
    for email in ("ada@example.org", "bob@example.org", "bob@example.org"):
        submit_as(app, email, "toy-items", solution_files())
    samples = scrape(app)
    assert value(samples, "archlab_queue_depth") == 3
    assert value(samples, "archlab_grades_running") == 0
    assert value(samples, "archlab_grades_last_minute") == 0
