"""The work-queue lab's checks run straight against the solution and the starter, no sandbox.

The solution passes every check under several seeds, and so do the alternatives (written
apart, in other styles); the starter runs but passes only the validation check, and
everything that needs an accepted email is blocked, not failed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from queue_lab import QUEUE, QueueSession

from labs.catalog import alternative_dirs
from tests.support import direct_checks, lab_contract
from tests.support.lab_processes import LocalSession, opened

ALTERNATIVES = alternative_dirs(QUEUE.spec)


def test_checks_add_up_to_100_points_with_hints() -> None:
    lab_contract.expect_100_points_with_hints(QUEUE, at_least=8)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2024])
def test_solution_passes_every_check(solution: LocalSession, seed: int) -> None:
    grade = direct_checks.expect_every_check_passes(QUEUE, solution, seed)
    assert {chart["kind"] for chart in grade.charts} == {"line", "timeline"}


def test_the_lab_has_two_alternatives_in_other_styles() -> None:
    assert [path.name for path in ALTERNATIVES] == ["stdlib_http", "thread_pool"]


@pytest.mark.slow
@pytest.mark.parametrize("folder", ALTERNATIVES, ids=[path.name for path in ALTERNATIVES])
def test_alternative_passes_every_check(folder: Path, tmp_path: Path) -> None:
    with opened(QueueSession(folder, tmp_path)) as session:
        direct_checks.expect_every_check_passes(QUEUE, session, seed=7)


@pytest.mark.slow
def test_starter_runs_but_fails_most_checks(starter: LocalSession) -> None:
    direct_checks.expect_only_these_pass(QUEUE, starter, seed=3,
                                         passing=["malformed_is_400_and_unknown_is_404"])
