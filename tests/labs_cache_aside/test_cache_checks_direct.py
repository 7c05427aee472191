"""The cache-aside checks, run by the real engine on local processes against a real Redis.

One grade of the solution is shared by the assertions below: every check passes and the
figures the page draws are there and sensible. The starter runs but fails most checks.
"""

from __future__ import annotations

import pytest
from cache_lab import SPEC, failures

from labs.catalog import load_checks
from labs.results import GradeResult

CHECKS = load_checks(SPEC)


def test_checks_add_up_to_100_points_each_with_a_hint() -> None:
    assert CHECKS.max_score == 100
    assert len(CHECKS) >= 8
    assert all(check.hint for check in CHECKS)


@pytest.mark.slow
def test_solution_passes_every_check(solution_grade: GradeResult) -> None:
    assert failures(solution_grade) == {}
    assert solution_grade.score == 100


@pytest.mark.slow
def test_solution_reports_hit_ratio_and_latency_against_the_baseline(
        solution_grade: GradeResult) -> None:
    metrics = {metric["name"]: metric["value"] for metric in solution_grade.metrics}
    assert metrics["hit ratio"] >= 0.6
    assert metrics["p50 through the cache"] < metrics["p50 without a cache"] / 2
    assert metrics["origin reads for the stampede"] <= 2
    latency = next(chart for chart in solution_grade.charts
                   if chart["name"].startswith("Read latency"))
    assert latency["kind"] == "bar"
    assert [series["name"] for series in latency["data"]["series"]] == ["no cache",
                                                                        "through the cache"]


@pytest.mark.slow
def test_starter_runs_but_fails_most_checks(starter_grade: GradeResult) -> None:
    assert starter_grade.verdict == "graded"
    assert len(failures(starter_grade)) >= len(CHECKS) - 2
    assert "miss_then_hit" in failures(starter_grade)
