"""The cache-aside checks run straight against the solution, the alternatives and the
starter, no sandbox.

One run of every check against the solution is shared by the assertions below: every check
passes and the figures the page draws are there and sensible. Each alternative correct
solution (written in another style) passes every check too. The starter runs but fails all
but the checks a cache-less service passes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cache_lab import CACHE, CacheSession

from labs.catalog import solution_dir
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


@pytest.mark.slow
def test_a_ttl_at_the_jitter_floor_passes_on_a_slow_service(tmp_path: Path) -> None:
    """README and chapter 5 allow jitter to take 20% off (48 s of 60): Redis counts that down
    from the SET, so a service answering 0.4 s after each SET, its TTL asked a second later,
    must still be judged by the TTL it set, not by the 46 s left."""
    source = tmp_path / "floor"
    shutil.copytree(solution_dir(CACHE.spec), source)
    cache_py = source / "cache.py"
    code = cache_py.read_text()
    for old, new in (
            ("ttl = self.ttl - int(random.random() * JITTER * self.ttl)",
             "ttl = self.ttl - int(0.2 * self.ttl)"),
            ("        self._set(key, json.dumps(item), ttl)\n",
             "        self._set(key, json.dumps(item), ttl)\n"
             "        __import__('time').sleep(0.4)\n")):
        assert old in code
        code = code.replace(old, new)
    cache_py.write_text(code)
    with opened(CacheSession(source, tmp_path)) as session:
        failures, _ = direct_checks.run_checks(
            CACHE, session, seed=3,
            only=direct_checks.with_needs(CACHE, "cached_entries_have_the_configured_ttl"))
    assert failures == {}, session.logs("app", 40)
