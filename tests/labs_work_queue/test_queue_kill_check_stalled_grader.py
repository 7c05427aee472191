"""The kill check's verdict does not depend on how fast the grader is.

Between seeing the killed worker's send held and killing it, a loaded grader can stall for
seconds. A worker that gives up on a held answer after 0.6 s (README rule 6 lets it choose
its timeout; the mailer takes 0.3 s) tries the email again once its message is
CLAIM_IDLE_MS idle. Before, the mailer answered that repeated key with its 200 at once, so
after a stall of about 2.6 s the email was done and its message acknowledged before the kill,
and the check failed the worker with "expected message ... pending". Now the mailer holds a
repeated key's answer too until the grader releases it (the kill check's `hold_repeats`), and
the grader kills the worker before it reads the pending list. Only a dead letter (three
held tries timed out) can then finish the email before the kill: the check knows it by the
mailer's calls and starts over with a new email.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from queue_lab import QUEUE, QueueSession

from tests.support import edge_copy
from tests.support.direct_checks import run_checks, with_needs
from tests.support.lab_processes import opened

KILLED = "killed_worker_sends_once_after_redelivery"
SHORT_TIMEOUT = ("SEND_TIMEOUT_S = 10", "SEND_TIMEOUT_S = 0.6")


def stall_the_kill_check(monkeypatch: pytest.MonkeyPatch, seconds: float) -> list[float]:
    """The grader stalls `seconds` right after it saw the kill check's send held (the second
    held send it waits for: the status check's is the first). The list gets the stall once
    it happened."""
    grader = next(iter(QUEUE.checks)).function.__globals__  # the graded checks.py's names
    held: Callable[..., None] = grader["wait_held"]
    calls: list[object] = []
    stalled: list[float] = []

    def stalling_wait_held(*args: object) -> None:
        held(*args)
        calls.append(args)
        if len(calls) == 2:
            time.sleep(seconds)
            stalled.append(seconds)

    monkeypatch.setitem(grader, "wait_held", stalling_wait_held)
    return stalled


def count_kill_emails(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each email the kill check tried to kill a worker over: whether it went on with it
    (False: the worker had dead-lettered it first, so the check started over)."""
    grader = next(iter(QUEUE.checks)).function.__globals__
    kill = grader["kill_after_sending"]
    went_on: list[bool] = []

    def counting_kill(*args: object, **kwargs: object) -> object:
        killed = kill(*args, **kwargs)
        went_on.append(killed is not None)
        return killed

    monkeypatch.setitem(grader, "kill_after_sending", counting_kill)
    return went_on


@pytest.mark.slow
@pytest.mark.parametrize(("stall_s", "emails"), [(3.0, [True]), (9.0, [False, True])],
                         ids=["retry-window", "dead-letter-window"])
def test_a_worker_with_a_short_mailer_timeout_passes_on_a_stalled_grader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stall_s: float,
        emails: list[bool]) -> None:
    """3 s: the worker's second try comes during the stall; held too, it cannot finish the
    email (it finished it by the mailer's at-once replay before, and failed). 9 s: its third
    try times out during the stall and it dead-letters the email, rightly; the check sees
    three unanswered sends and starts over with a new email, which it kills in time."""
    stalled = stall_the_kill_check(monkeypatch, stall_s)
    went_on = count_kill_emails(monkeypatch)
    failures = edge_copy.grade_at_the_edge(QUEUE, QueueSession, tmp_path,
                                           {"mailer.py": [SHORT_TIMEOUT]}, KILLED)
    assert stalled == [stall_s], "the kill check never waited for a held send"
    assert failures == {}
    assert went_on == emails


@pytest.mark.slow
def test_a_key_from_the_entry_id_is_caught_by_its_key_on_a_stalled_grader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The mutant with a short mailer timeout retries its held email under the same key (the
    same entry) during the stall. Before, the mailer's at-once replay finished it there, and
    the check named a message acknowledged before the kill; now that repeat is held, the
    copy is sent under the copy's entry id after the kill, and the check names the key."""
    stalled = stall_the_kill_check(monkeypatch, 3.0)
    mutant = next(m for m in QUEUE.mutants() if m.name == "key_from_entry_id")
    source = QUEUE.mutant_copy(mutant, tmp_path / "mutant")
    mailer = source / "mailer.py"
    assert mailer.read_text().count(SHORT_TIMEOUT[0]) == 1
    mailer.write_text(mailer.read_text().replace(*SHORT_TIMEOUT))
    with opened(QueueSession(source, tmp_path)) as session:
        failures, _ = run_checks(QUEUE, session, seed=11, only=with_needs(QUEUE, KILLED))
    assert stalled == [3.0]
    assert set(failures) == {KILLED}
    assert "with the same Idempotency-Key, got ['email-" in failures[KILLED]
