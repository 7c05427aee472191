"""The url-shortener's checks run straight against the solution, the alternatives and the
starter, no sandbox.

The solution passes every check under two seeds and reports the load's figures; each
alternative (written apart, in another style) passes every check; the starter runs but
passes only what a service without a database or a redirect passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from shortener_lab import SHORTENER, shortener_session

from tests.support import direct_checks, lab_contract
from tests.support.lab_processes import LocalSession, opened

ALTERNATIVES = SHORTENER.alternatives()


def test_checks_add_up_to_100_points_with_hints() -> None:
    lab_contract.expect_100_points_with_hints(SHORTENER, at_least=8)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2024])
def test_solution_passes_every_check(solution: LocalSession, seed: int) -> None:
    grade = direct_checks.expect_every_check_passes(SHORTENER, solution, seed)
    metrics = {metric["name"]: metric["value"] for metric in grade.metrics}
    assert 0 < metrics["redirect p50 at 100/s"] <= metrics["redirect p99 at 100/s"]
    assert metrics["errors at 100/s"] < 1
    assert metrics["different codes"] == 200
    load = next(chart for chart in grade.charts if chart["name"].startswith("Redirect latency"))
    assert load["kind"] == "line"
    assert [series["name"] for series in load["data"]["series"]] == ["p50", "p99"]
    assert len(load["data"]["labels"]) == 10, "5 s of load in half seconds"


def test_the_lab_has_two_alternatives_in_other_styles() -> None:
    assert [path.name for path in ALTERNATIVES] == ["asyncio_server", "stdlib_http"]


@pytest.mark.slow
@pytest.mark.parametrize("folder", ALTERNATIVES, ids=[path.name for path in ALTERNATIVES])
def test_alternative_passes_every_check(folder: Path, postgres_url: str,
                                        tmp_path: Path) -> None:
    with opened(shortener_session(folder, postgres_url, tmp_path)) as session:
        direct_checks.expect_every_check_passes(SHORTENER, session, seed=7)


@pytest.mark.slow
def test_starter_runs_but_fails_most_checks(starter: LocalSession) -> None:
    direct_checks.expect_only_these_pass(SHORTENER, starter, seed=3, passing=[
        "create_answers_201_with_location", "invalid_url_is_refused"])
