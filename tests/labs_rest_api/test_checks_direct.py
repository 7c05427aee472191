"""The lab's checks run straight against the solution and the starter, no sandbox involved.

This proves the checks and the reference agree before any engine runs them: the solution
passes every check (under several seeds), the starter fails most of them.
"""

from __future__ import annotations

import time

import pytest
from rest_app import RunningApp

from labs.checks import CheckFailed
from labs.context import CheckContext, GradeState
from labs.rest_api.checks import checks


class AppSession:
    """The part of a sandbox session checks use here: where the app and database are."""

    def __init__(self, app: RunningApp, database_url: str) -> None:
        self.urls = {"app": app.url, "db": database_url}

    def url(self, name: str) -> str:
        return self.urls[name]


def run_checks(app: RunningApp, database_url: str, seed: int) -> dict[str, str]:
    """Run every check in order; map each failed check's id to its message."""
    session, grade = AppSession(app, database_url), GradeState(seed=seed)
    failures = {}
    for check in checks:
        ctx = CheckContext(session, check.id, grade, http_timeout=10,
                           deadline=time.monotonic() + 30)
        try:
            check.function(ctx)
        except CheckFailed as failure:
            failures[check.id] = failure.message
        finally:
            ctx.close()
    return failures


def test_checks_add_up_to_100_points_with_hints() -> None:
    assert checks.max_score == 100
    assert len(checks) >= 14
    assert all(check.hint for check in checks)


@pytest.mark.parametrize("seed", [1, 2024])
def test_solution_passes_every_check(solution: RunningApp, postgres_url: str, seed: int) -> None:
    assert run_checks(solution, postgres_url, seed) == {}


def test_solution_passes_again_on_a_database_with_earlier_data(solution: RunningApp,
                                                               postgres_url: str) -> None:
    run_checks(solution, postgres_url, seed=7)
    assert run_checks(solution, postgres_url, seed=8) == {}


def test_starter_runs_but_fails_most_checks(starter: RunningApp, postgres_url: str) -> None:
    failures = run_checks(starter, postgres_url, seed=3)
    passed = [check.id for check in checks if check.id not in failures]
    assert passed == ["health_check_answers_200"], failures
