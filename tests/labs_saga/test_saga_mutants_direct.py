"""Every mutant of the saga solution (a known mistake) fails the check it names and no other
on its own, run directly (one mistake, one failure: the checks that need the failed one say
they did not run); the full grade of each mutant on a sandbox is `archlab labs verify`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from saga_lab import SAGA, saga_session

from tests.support.direct_checks import expect_caught_alone, run_checks, with_needs
from tests.support.lab_processes import opened

MUTANTS = SAGA.mutants()


def test_the_lab_has_at_least_six_mutants_on_distinct_checks() -> None:
    assert len(MUTANTS) >= 6
    assert len({mutant.caught_by for mutant in MUTANTS}) >= 6


def test_checks_that_meet_an_earlier_checks_fault_need_it() -> None:
    """A fault one check studies, met again by a later check, is named by the first only."""
    assert "out_of_stock_rejects_without_charging" in with_needs(
        SAGA, "shipping_failure_refunds_and_releases")
    assert "lost_payment_answer_is_not_charged_twice" in with_needs(
        SAGA, "orchestrator_killed_mid_saga_recovers")
    concurrent = with_needs(SAGA, "concurrent_orders_keep_the_invariants")
    assert {"failing_compensation_is_retried_until_done",
            "slow_payment_is_retried_with_the_same_key"} <= concurrent
    assert "orchestrator_killed_mid_saga_recovers" not in concurrent  # no kill there


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_fails_its_check_and_no_other(mutant, postgres_url: str,
                                             tmp_path: Path) -> None:
    source = SAGA.mutant_copy(mutant, tmp_path / "mutant")
    with opened(saga_session(source, postgres_url, tmp_path)) as session:
        expect_caught_alone(SAGA, mutant, session)


@pytest.mark.slow
def test_a_definite_no_retried_is_named_as_the_cause(postgres_url: str,
                                                     tmp_path: Path) -> None:
    """A saga that retries inventory's 409 never ends: the out-of-stock check says the 409
    was called again, not only that the order stayed in progress."""
    mutant = next(m for m in MUTANTS if m.name == "every_error_retried")
    source = SAGA.mutant_copy(mutant, tmp_path / "mutant")
    with opened(saga_session(source, postgres_url, tmp_path)) as session:
        failures, _ = run_checks(SAGA, session, seed=11,
                                 only={"happy_path_completes",
                                       "out_of_stock_rejects_without_charging"})
    message = failures["out_of_stock_rejects_without_charging"]
    assert "to take inventory's 409 as a definite no (README rule 3: a 4xx answer is not " \
        "retried) and end REJECTED, got POST /reservations called " in message
    assert "more time(s) after the 409 (answers: 409, 409" in message



@pytest.mark.slow
@pytest.mark.parametrize(("name", "check", "cause"), [
    ("charge_key_per_attempt", "lost_payment_answer_is_not_charged_twice",
     "to send the same Idempotency-Key, got "),
    ("charge_key_per_process", "orchestrator_killed_mid_saga_recovers",
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
    such, not only as the wrong money or stock it leaves behind. Each check runs on its own
    here: in a grade the kill and the concurrent orders do not run after these mutants'
    earlier failure, but a mistake only they meet (a key that changes with the process, a
    race) reaches them and must be named the same way."""
    mutant = next(m for m in MUTANTS if m.name == name)
    source = SAGA.mutant_copy(mutant, tmp_path / "mutant")
    with opened(saga_session(source, postgres_url, tmp_path)) as session:
        failures, _ = run_checks(SAGA, session, seed=11, only={"happy_path_completes", check})
    assert cause in failures[check]
