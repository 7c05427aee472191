"""The schema-design lab's checks run straight against the solution and the starter, no
sandbox.

The solution passes every check under several seeds, and so do the alternatives (written
apart, in other styles); the starter runs, serves the shop, and fails everything else.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from schema_lab import SCHEMA, schema_session

from tests.support import direct_checks, lab_contract
from tests.support.lab_processes import LocalSession, opened

ALTERNATIVES = SCHEMA.alternatives()


def test_checks_add_up_to_100_points_with_hints() -> None:
    lab_contract.expect_100_points_with_hints(SCHEMA, at_least=8)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2024])
def test_solution_passes_every_check(solution: LocalSession, seed: int) -> None:
    grade = direct_checks.expect_every_check_passes(SCHEMA, solution, seed)
    assert {chart["kind"] for chart in grade.charts} == {"bar", "line"}


def test_the_lab_has_two_alternatives_in_other_styles() -> None:
    assert [path.name for path in ALTERNATIVES] == ["flask_on_conflict", "stdlib_http"]


@pytest.mark.slow
@pytest.mark.parametrize("folder", ALTERNATIVES, ids=[path.name for path in ALTERNATIVES])
def test_alternative_passes_every_check(folder: Path, postgres_url: str,
                                        tmp_path: Path) -> None:
    with opened(schema_session(folder, postgres_url, tmp_path)) as session:
        direct_checks.expect_every_check_passes(SCHEMA, session, seed=7)


@pytest.mark.slow
def test_starter_runs_but_fails_most_checks(starter: LocalSession) -> None:
    direct_checks.expect_only_these_pass(SCHEMA, starter, seed=3, passing=["shop_round_trip"])
