"""The README is the learner's contract: its grading table, variables and numbers match the
lab, and the checks grade against the numbers lab.toml gives both programs."""

from __future__ import annotations

import re

from queue_lab import QUEUE, service

from tests.support import lab_contract

NUMBERS = ("CLAIM_IDLE_MS", "MAX_TRIES", "BACKLOG_LIMIT")


def test_readme_grading_table_matches_the_checks() -> None:
    lab_contract.expect_readme_grades_the_checks(QUEUE)


def test_readme_documents_every_variable_and_the_numbers_values() -> None:
    lab_contract.expect_readme_documents_the_app_env(QUEUE)
    lab_contract.expect_readme_states_how_the_app_runs(QUEUE)
    documented = dict(re.findall(r"^  \| `([A-Z_]+)` \| `([^`]*)` \|", QUEUE.readme,
                                 flags=re.MULTILINE))
    assert {name: documented.get(name) for name in NUMBERS} == {
        name: QUEUE.spec.app.env[name] for name in NUMBERS}


def test_both_programs_get_the_same_variables_and_limits() -> None:
    """The README gives one variables table and one line of limits for "each program"."""
    assert service("worker").env == QUEUE.spec.app.env
    assert service("worker").limits == QUEUE.spec.app.limits
    lab_contract.expect_readme_says(QUEUE, "Limits, each program: 256 MB of memory")
    assert [s.name for s in QUEUE.spec.learner_services] == ["app", "worker"]


def test_checks_grade_against_the_numbers_lab_toml_gives() -> None:
    from labs.work_queue import checks

    assert {name: str(getattr(checks, name)) for name in NUMBERS} == {
        name: QUEUE.spec.app.env[name] for name in NUMBERS}
    assert str(checks.MAILER_LATENCY_MS) == service("mailer").env["MAILER_LATENCY_MS"]


def test_readme_and_chapter_box_state_the_waits_the_checks_use() -> None:
    from labs.work_queue import checks as c

    lab_contract.expect_readme_says(
        QUEUE, f"({c.ANSWER_TIMEOUT_S:g} s where it times one", f"takes about "
        f"{c.MAILER_LATENCY_MS} ms per email", "this answer comes within one second",
        f"must still answer within {c.ACCEPT_TARGET_S:g} s (judged at {c.ACCEPT_BOUND_S:g} s)",
        f"answers **503** within **{c.DOWN_TARGET_S:g} seconds** (judged at "
        f"{c.DOWN_BOUND_S:g} s",
        f"Within {c.SEND_START_S:g} s the worker must have called the mailer",
        f"within {c.DONE_S:g} s the status is `done`", f"acknowledged within {c.ACK_S:g} s",
        f"the message is acknowledged (within {c.ACK_S:g} s, here and below)",
        f"Within {c.RECLAIM_S:g} s (`CLAIM_IDLE_MS` plus "
        f"{c.RECLAIM_S - c.CLAIM_IDLE_MS / 1000:g} s)",
        f"`done` within {c.SEND_START_S + c.DONE_S:g} s",
        f"`failed` within {c.DEAD_LETTER_S:g} s after them",
        f"each answer 503 with `{{\"error\"}}` within {c.DOWN_TARGET_S:g} s "
        f"(judged at {c.DOWN_BOUND_S:g} s)",
        f"accepted (202) within {c.RECOVER_ACCEPT_S:g} s and be `done` within "
        f"{c.RECOVER_DONE_S:g} s", f"until {c.BACKLOG_LIMIT} wait",
        f"within {c.DRAIN_S:g} s every waiting email is sent",
        f"the grader starts over with a new email, {c.KILL_EMAILS} at most",
        '`{"to", "hold": true, "hold_repeats": true}`')
    assert c.ACCEPT_TARGET_S == 1  # the README's "within one second"
    worker = service("worker").ready
    assert (worker.tcp, worker.timeout) == (False, 1)  # "still running one second after"
    lab_contract.expect_readme_says(QUEUE, "still running one second after it started")
    lab_contract.expect_lab_box_says(
        QUEUE, f"`202 Accepted` within {c.ACCEPT_TARGET_S:g} s (the grader judges it at "
        f"{c.ACCEPT_BOUND_S:g} s", f"after {c.MAX_TRIES} tries",
        f"503 within {c.DOWN_TARGET_S:g} s while Redis does not answer (judged at "
        f"{c.DOWN_BOUND_S:g} s",
        f"once {c.BACKLOG_LIMIT} emails wait")


def test_readme_states_how_the_grader_stops_the_worker() -> None:
    """The full-backlog check stops the worker the way both sandboxes stop a service."""
    from sandboxes.docker.backend import STOP_TIMEOUT as DOCKER_STOP
    from sandboxes.process.service import STOP_TIMEOUT as PROCESS_STOP

    assert DOCKER_STOP == PROCESS_STOP
    lab_contract.expect_readme_says(
        QUEUE, f"the grader stops the worker (`SIGTERM`, `SIGKILL` after {PROCESS_STOP:g} s)")


def test_readme_states_each_timed_target_and_the_bound_the_grader_judges_it_by() -> None:
    """The README's "within one second" and "within 2 seconds" are targets for the program;
    the grader times from its own side (its client, the network, a busy machine) and judges
    each with a stated margin, as the rate-limiter lab does. A request that waits for the
    mailer or hangs on Redis is cut off at ANSWER_TIMEOUT_S, well past either bound, so it
    still fails by a wide margin."""
    from labs.work_queue import checks as c

    for target, bound in ((c.ACCEPT_TARGET_S, c.ACCEPT_BOUND_S),
                          (c.DOWN_TARGET_S, c.DOWN_BOUND_S)):
        assert bound == 1.5 * target  # "a margin of half the target again"
        assert bound + 2 <= c.ANSWER_TIMEOUT_S
    lab_contract.expect_readme_says(
        QUEUE, "that time is the **target** your program should meet",
        "a margin of half the target again",
        f"**{c.ACCEPT_BOUND_S:g} s** for the 202 \"within one second\", **{c.DOWN_BOUND_S:g} "
        f"s** for the 503 \"within 2 seconds\"",
        "the margin is for those, not for your program",
        f"gets no answer within the {c.ANSWER_TIMEOUT_S:g} s and fails all the same")
