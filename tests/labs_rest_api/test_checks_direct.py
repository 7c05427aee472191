"""The lab's checks run straight against the solution and the starter, no sandbox involved.

This proves the checks and the reference agree before any engine runs them: the solution
passes every check (under several seeds), the starter fails most of them.
"""

from __future__ import annotations

import pytest
from rest_app import REST_API

from tests.support import direct_checks, lab_contract
from tests.support.lab_processes import LocalSession


def test_checks_add_up_to_100_points_with_hints() -> None:
    lab_contract.expect_100_points_with_hints(REST_API, at_least=14)


@pytest.mark.parametrize("seed", [1, 2024])
def test_solution_passes_every_check(solution: LocalSession, seed: int) -> None:
    direct_checks.expect_every_check_passes(REST_API, solution, seed)


def test_solution_passes_again_on_a_database_with_earlier_data(solution: LocalSession) -> None:
    direct_checks.run_checks(REST_API, solution, seed=7)
    direct_checks.expect_every_check_passes(REST_API, solution, seed=8)


def test_starter_runs_but_fails_most_checks(starter: LocalSession) -> None:
    direct_checks.expect_only_these_pass(REST_API, starter, seed=3,
                                         passing=["health_check_answers_200"])
