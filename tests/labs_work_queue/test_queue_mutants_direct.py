"""Every mutant of the work-queue solution (a known mistake) fails the check it names, run
directly against local processes.

Only the named check and the checks it needs run against each mutant, which keeps this
fast; the full grade of each mutant on a sandbox is `archlab labs verify work-queue`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from queue_lab import QUEUE, QueueSession

from tests.support.direct_checks import expect_caught, run_checks, with_needs
from tests.support.lab_processes import opened

MUTANTS = QUEUE.mutants()


def test_the_lab_has_at_least_six_mutants_on_distinct_checks() -> None:
    assert len(MUTANTS) >= 6
    assert len({mutant.caught_by for mutant in MUTANTS}) >= 6


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught_by_its_check(mutant, tmp_path: Path) -> None:
    source = QUEUE.mutant_copy(mutant, tmp_path / "mutant")
    with opened(QueueSession(source, tmp_path)) as session:
        expect_caught(QUEUE, mutant, session, only=with_needs(QUEUE, mutant.caught_by))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ack_before_send", "ack_after_failed_try"])
def test_a_message_acknowledged_before_its_email_is_finished_is_named_as_the_cause(
        name: str, tmp_path: Path) -> None:
    """A worker that XACKs before the send, or after a failed try, leaves the failing email
    queued for ever: the dead-letter check says the message was acknowledged and never came
    back, not only that the email never became failed."""
    mutant = next(m for m in MUTANTS if m.name == name)
    source = QUEUE.mutant_copy(mutant, tmp_path / "mutant")
    with opened(QueueSession(source, tmp_path)) as session:
        failures, _ = run_checks(QUEUE, session, seed=11,
                                 only=with_needs(QUEUE, "poison_email_is_dead_lettered"))
    message = failures["poison_email_is_dead_lettered"]
    assert "got it acknowledged (not pending in group mailers) after only 1 of 3 tries" in message
    assert "acknowledged before its email was finished" in message
