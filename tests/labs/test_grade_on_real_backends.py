"""The toy lab graded end to end on the real sandbox backends (no fakes)."""

from __future__ import annotations

import pytest
from fakes import TOY_LAB

from labs.results import Status, Verdict
from labs.runner import grade
from labs.spec import Lab
from labs.verify import verify
from sandboxes import get_backend


@pytest.fixture
def process_backend():
    return get_backend("process")


def test_process_backend_grades_solution_and_starter(toy_lab: Lab, process_backend) -> None:
    solution = grade(toy_lab, TOY_LAB / "solution", backend=process_backend, seed=1)
    assert (solution.verdict, solution.score, solution.max_score) == (Verdict.GRADED, 6, 6)
    starter = grade(toy_lab, TOY_LAB / "starter", backend=process_backend, seed=1)
    assert starter.score == 1
    assert starter.checks[1].message.startswith("expected 201, got 501 from POST /items")


ROUNDING_S = 0.0005


def test_timings_split_a_real_grade_into_its_steps(toy_lab: Lab, process_backend) -> None:
    result = grade(toy_lab, TOY_LAB / "solution", backend=process_backend, seed=1)
    spans = result.timings
    steps = [spans.sandbox_start_s, spans.service_ready_s, spans.checks_s, spans.teardown_s]
    assert all(step > 0 for step in steps), spans
    # every figure is rounded to the millisecond: a sum may be off by half a ms per term
    assert sum(steps) <= result.duration_s + ROUNDING_S * (len(steps) + 1)
    checks = [check.duration_s for check in result.checks]
    assert spans.checks_s + ROUNDING_S * (len(checks) + 1) >= sum(checks)


def test_process_backend_reports_a_submission_that_never_starts(toy_lab: Lab, process_backend,
                                                                tmp_path) -> None:
    (tmp_path / "app.py").write_text("import no_such_module\n")
    result = grade(toy_lab, tmp_path, backend=process_backend)
    assert (result.verdict, result.gradable, result.score) == (Verdict.NOT_READY, True, 0)
    assert "exited with code 1" in result.checks[0].message


def test_process_backend_sees_a_crash_a_check_causes(toy_lab: Lab, process_backend) -> None:
    def kills_the_app_by_surprise(ctx) -> None:
        ctx.session.kill("app")
        ctx.http.get("/healthz")

    def after(ctx) -> None:
        ctx.http.get("/healthz")

    from labs.checks import Checks

    checks = Checks()
    checks.check("surprise", points=1)(kills_the_app_by_surprise)
    checks.check("after", points=1)(after)
    result = grade(toy_lab, TOY_LAB / "solution", backend=process_backend, checks=checks)
    assert result.verdict is Verdict.CRASHED
    assert result.checks[0].message.startswith("the service is not listening: ")
    assert result.checks[1].status is Status.BLOCKED
    assert result.checks[1].message == f"not run: {result.cause}"
    assert result.cause.startswith("the service crashed (exit code")


@pytest.mark.slow
def test_process_backend_verifies_the_toy_lab(toy_lab: Lab, process_backend) -> None:
    report = verify(toy_lab, process_backend)
    assert report.ok, report.rows
