"""The saga lab's checks run straight against the solution, the alternatives and the starter,
no sandbox.

The solution passes every check under several seeds, and so does each alternative correct
solution (written in another style); the starter fails most of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from saga_lab import SAGA, saga_session

from tests.support import direct_checks, lab_contract
from tests.support.lab_processes import LocalSession, opened

ALTERNATIVES = SAGA.alternatives()


def test_checks_add_up_to_100_points_with_hints() -> None:
    lab_contract.expect_100_points_with_hints(SAGA, at_least=10)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2024])
def test_solution_passes_every_check(solution: LocalSession, seed: int) -> None:
    grade = direct_checks.expect_every_check_passes(SAGA, solution, seed)
    assert {chart["kind"] for chart in grade.charts} == {"bar", "timeline"}


@pytest.mark.slow
def test_starter_runs_but_fails_most_checks(starter: LocalSession) -> None:
    direct_checks.expect_only_these_pass(SAGA, starter, seed=3,
                                         passing=["order_is_accepted_with_202_and_location"])


@pytest.mark.slow
@pytest.mark.parametrize("alternative", ALTERNATIVES, ids=[a.name for a in ALTERNATIVES])
def test_alternative_passes_every_check(alternative: Path, postgres_url: str,
                                        tmp_path: Path) -> None:
    with opened(saga_session(alternative, postgres_url, tmp_path)) as session:
        direct_checks.expect_every_check_passes(SAGA, session, seed=5)
