"""The cache-aside checks run straight against the solution, the alternatives and the
starter, no sandbox.

One run of every check against the solution is shared by the assertions below: every check
passes and the figures the page draws are there and sensible. Each alternative correct
solution (written in another style) passes every check too. The starter runs but fails all
but the checks a cache-less service passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cache_lab import CACHE, CacheSession

from labs.context import GradeState
from tests.support import direct_checks, lab_contract
from tests.support.lab_processes import opened

ALTERNATIVES = CACHE.alternatives()


def test_checks_add_up_to_100_points_with_hints() -> None:
    lab_contract.expect_100_points_with_hints(CACHE, at_least=8)


@pytest.mark.slow
def test_solution_passes_every_check(solution: CacheSession,
                                     solution_run: tuple[dict[str, str], GradeState]) -> None:
    failures, _ = solution_run
    assert failures == {}, solution.logs("app", 40)


@pytest.mark.slow
def test_solution_reports_hit_ratio_and_latency_against_the_baseline(
        solution_run: tuple[dict[str, str], GradeState]) -> None:
    _, grade = solution_run
    metrics = {metric["name"]: metric["value"] for metric in grade.metrics}
    assert metrics["hit ratio"] >= 0.6
    assert metrics["p50 through the cache"] < metrics["p50 without a cache"] / 2
    assert metrics["origin reads for the stampede"] <= 2
    latency = next(chart for chart in grade.charts if chart["name"].startswith("Read latency"))
    assert latency["kind"] == "bar"
    assert [series["name"] for series in latency["data"]["series"]] == ["no cache",
                                                                        "through the cache"]


@pytest.mark.slow
def test_starter_runs_but_fails_most_checks(starter: CacheSession) -> None:
    direct_checks.expect_only_these_pass(CACHE, starter, seed=7, passing=[
        "update_then_read_is_fresh", "missing_items_are_not_cached_forever"])


@pytest.mark.slow
@pytest.mark.parametrize("alternative", ALTERNATIVES, ids=[a.name for a in ALTERNATIVES])
def test_alternative_passes_every_check(alternative: Path, tmp_path: Path) -> None:
    with opened(CacheSession(alternative, tmp_path)) as session:
        direct_checks.expect_every_check_passes(CACHE, session, seed=5)
