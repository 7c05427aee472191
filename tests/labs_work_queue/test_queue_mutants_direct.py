"""Every mutant of the work-queue solution (a known mistake) fails the check it names and no
other on its own, run directly against local processes (one mistake, one failure: the checks
that need the failed one say they did not run). The full grade of each mutant on a sandbox
is `archlab labs verify work-queue`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from queue_lab import QUEUE, QueueSession

from tests.support.direct_checks import expect_caught_alone, run_checks, with_needs
from tests.support.lab_processes import opened

MUTANTS = QUEUE.mutants()
KILLED = "killed_worker_sends_once_after_redelivery"
POISON = "poison_email_is_dead_lettered"
QUEUE_CLAIM_IDLE_S = int(QUEUE.spec.app.env["CLAIM_IDLE_MS"]) / 1000


def test_the_lab_has_at_least_six_mutants_on_distinct_checks() -> None:
    assert len(MUTANTS) >= 6
    assert len({mutant.caught_by for mutant in MUTANTS}) >= 6


def test_the_dead_letter_check_needs_the_kill_check() -> None:
    """Its tries come back by the same reclaiming, after the same late XACK, that the kill
    check proves first: a mistake there is named once, by the kill check."""
    assert KILLED in with_needs(QUEUE, POISON)


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_fails_its_check_and_no_other(mutant, tmp_path: Path) -> None:
    source = QUEUE.mutant_copy(mutant, tmp_path / "mutant")
    with opened(QueueSession(source, tmp_path)) as session:
        expect_caught_alone(QUEUE, mutant, session)


def failures_of(name: str, only: set[str], tmp_path: Path) -> dict[str, str]:
    mutant = next(m for m in MUTANTS if m.name == name)
    source = QUEUE.mutant_copy(mutant, tmp_path / "mutant")
    with opened(QueueSession(source, tmp_path)) as session:
        failures, _ = run_checks(QUEUE, session, seed=11, only=only)
    return failures


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ack_before_send", "ack_after_failed_try"])
def test_a_message_acknowledged_before_its_email_is_finished_is_named_as_the_cause(
        name: str, tmp_path: Path) -> None:
    """A worker that XACKs before the send, or after a failed try, leaves the failing email
    queued for ever: the dead-letter check says the message was acknowledged and never came
    back, not only that the email never became failed (run without the kill check, which
    names an XACK before the send first in a grade)."""
    message = failures_of(name, with_needs(QUEUE, POISON) - {KILLED}, tmp_path)[POISON]
    assert "got it acknowledged (not pending in group mailers) after only 1 of 3 tries" in message
    assert "acknowledged before its email was finished" in message


@pytest.mark.slow
def test_a_message_nothing_claims_is_named_as_the_cause_by_the_kill_check(
        tmp_path: Path) -> None:
    """The killed worker's message stays pending: the check says nothing claimed it after
    CLAIM_IDLE_MS, not only that it is not acknowledged."""
    message = failures_of("never_claims_stale_messages", with_needs(QUEUE, KILLED),
                          tmp_path)[KILLED]
    assert "claimed again once idle for 2000 ms (XAUTOCLAIM emails mailers" in message
    assert "since the copy was read: the restarted worker does not claim" in message


@pytest.mark.slow
def test_a_key_from_the_entry_id_is_caught_when_the_worker_restarts_slowly(
        tmp_path: Path) -> None:
    """A worker that takes longer than CLAIM_IDLE_MS to start (a loaded machine) still reads
    the copy before it may claim the killed worker's message (the grader keeps the message's
    idle time short until then), so the copy's new key sends the email twice. Before, such a
    worker claimed the message first, sent it under its old key, and the mutant passed."""
    mutant = next(m for m in MUTANTS if m.name == "key_from_entry_id")
    source = QUEUE.mutant_copy(mutant, tmp_path / "mutant")
    worker = source / "worker.py"
    slow_start = "    worker.run_forever()\n"
    assert slow_start in worker.read_text()
    worker.write_text(worker.read_text().replace(
        slow_start, f"    time.sleep({QUEUE_CLAIM_IDLE_S} + 1)\n{slow_start}"))
    with opened(QueueSession(source, tmp_path)) as session:
        failures, _ = run_checks(QUEUE, session, seed=11, only=with_needs(QUEUE, KILLED))
    assert "with the same Idempotency-Key, got ['email-" in failures[KILLED]


@pytest.mark.slow
def test_a_message_nothing_claims_is_named_as_the_cause_by_the_dead_letter_check(
        tmp_path: Path) -> None:
    """A worker may claim a dead worker's messages (say, its own under the same name at
    start) and still never claim a failed try's: the dead-letter check then names that, not
    only the email that never became failed."""
    message = failures_of("never_claims_stale_messages",
                          with_needs(QUEUE, POISON) - {KILLED}, tmp_path)[POISON]
    assert "claimed again once idle for 2000 ms (XAUTOCLAIM emails mailers" in message
    assert "since try 1 of 3 failed: the worker does not claim messages left pending" in message
