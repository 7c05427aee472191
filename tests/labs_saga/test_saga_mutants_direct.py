"""Every mutant of the saga solution (a known mistake) fails the check it names, run directly.

Only the named check runs against each mutant (plus the happy path, whose order the steps
check reads), which keeps this fast; the full grade of each mutant is `archlab labs verify`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from saga_lab import SAGA, saga_session

from tests.support.direct_checks import expect_caught, run_checks
from tests.support.lab_processes import opened

MUTANTS = SAGA.mutants()


def test_the_lab_has_at_least_six_mutants_on_distinct_checks() -> None:
    assert len(MUTANTS) >= 6
    assert len({mutant.caught_by for mutant in MUTANTS}) >= 6


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught_by_its_check(mutant, postgres_url: str, tmp_path: Path) -> None:
    source = SAGA.mutant_copy(mutant, tmp_path / "mutant")
    with opened(saga_session(source, postgres_url, tmp_path)) as session:
        expect_caught(SAGA, mutant, session, only={mutant.caught_by, "happy_path_completes"})



@pytest.mark.slow
@pytest.mark.parametrize(("name", "check", "cause"), [
    ("charge_key_per_attempt", "lost_payment_answer_is_not_charged_twice",
     "to send the same Idempotency-Key, got "),
    ("charge_key_per_attempt", "orchestrator_killed_mid_saga_recovers",
     "before and after the restart to send the same Idempotency-Key"),
    ("compensation_tried_once", "failing_compensation_is_retried_until_done",
     "a compensation must not give up"),
    ("call_timeout_two_seconds", "slow_payment_is_retried_with_the_same_key",
     "every call must time out within 1 s (README rule 2)"),
    ("no_call_timeout", "slow_payment_is_retried_with_the_same_key",
     "a service that waited 1.5 s for payment's 201 has a longer timeout, or none"),
    # the concurrent orders name an order's wrong status with the answers its saga got
    ("timeout_taken_as_decline", "concurrent_orders_keep_the_invariants",
     'to end as they say, got "status": "CANCELLED" after only POST /reservations: '),
    ("compensation_tried_once", "concurrent_orders_keep_the_invariants",
     "(calls: POST /reservations: 201; POST /charges: "),
])
def test_the_failure_names_the_cause_not_only_the_books(name: str, check: str, cause: str,
                                                         postgres_url: str,
                                                         tmp_path: Path) -> None:
    """A charge retried (or resumed) with new keys, or a compensation given up, is named as
    such, not only as the wrong money or stock it leaves behind."""
    mutant = next(m for m in MUTANTS if m.name == name)
    source = SAGA.mutant_copy(mutant, tmp_path / "mutant")
    with opened(saga_session(source, postgres_url, tmp_path)) as session:
        failures, _ = run_checks(SAGA, session, seed=11, only={"happy_path_completes", check})
    assert cause in failures[check]
