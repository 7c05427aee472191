"""Every mutant of the solution (a known mistake) fails the check it names, and that check
alone: the checks that need it are blocked, none fails for the same mistake (run directly)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rest_app import REST_API, rest_session

from tests.support.direct_checks import expect_caught_alone, run_checks, with_needs
from tests.support.lab_processes import opened

MUTANTS = REST_API.mutants()
REQUIRED = {"errors_not_problem_json", "offset_pagination", "idempotency_key_not_per_caller",
            "fingerprint_ignored", "idempotency_check_then_insert"}


def test_the_lab_has_the_mutants_its_contract_names() -> None:
    assert len(MUTANTS) >= 8
    assert {mutant.name for mutant in MUTANTS} >= REQUIRED


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_fails_its_check_alone(mutant, postgres_url: str, tmp_path: Path) -> None:
    source = REST_API.mutant_copy(mutant, tmp_path / "mutant")
    with opened(rest_session(source, postgres_url, tmp_path)) as session:
        expect_caught_alone(REST_API, mutant, session)


def test_an_ignored_idempotency_key_fails_as_a_retry_that_was_not_replayed(
        postgres_url: str, tmp_path: Path) -> None:
    """The retry's 409 email-taken is the symptom; the failure says what the retry should
    have been (a replay of the first answer), not just "expected 201, got 409"."""
    mutant = next(m for m in MUTANTS if m.name == "idempotency_key_ignored")
    source = REST_API.mutant_copy(mutant, tmp_path / "mutant")
    check = "idempotent_retry_replays_the_create"
    with opened(rest_session(source, postgres_url, tmp_path)) as session:
        failures, _ = run_checks(REST_API, session, seed=11, only=with_needs(REST_API, check))
    assert failures[check].startswith(
        "expected the retry of POST /api/v1/users with the same Idempotency-Key to replay the "
        "first answer, 201, got 409: {"), failures[check]
