"""The saga lab's checks run straight against the solution and the starter, no sandbox.

The solution passes every check under several seeds; the starter fails most of them.
"""

from __future__ import annotations

import pytest
from saga_lab import SagaSession, run_checks

from labs.saga.checks import checks


def test_checks_add_up_to_100_points_with_hints() -> None:
    assert checks.max_score == 100
    assert len(checks) >= 10
    assert all(check.hint for check in checks)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2024])
def test_solution_passes_every_check(solution: SagaSession, seed: int) -> None:
    failures, grade = run_checks(solution, seed)
    assert failures == {}, solution.logs("app", 40)
    assert {chart["kind"] for chart in grade.charts} == {"bar", "timeline"}


@pytest.mark.slow
def test_starter_runs_but_fails_most_checks(starter: SagaSession) -> None:
    failures, _ = run_checks(starter, seed=3)
    passed = [check.id for check in checks if check.id not in failures]
    assert passed == ["order_is_accepted_with_202_and_location"], failures
