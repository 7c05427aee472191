"""The README is the learner's contract: its grading table and variables match the lab."""

from __future__ import annotations

from saga_lab import SAGA

from tests.support import lab_contract


def test_readme_grading_table_matches_the_checks() -> None:
    lab_contract.expect_readme_grades_the_checks(SAGA)


def test_readme_documents_every_variable_the_app_gets() -> None:
    lab_contract.expect_readme_documents_the_app_env(SAGA)


def test_readme_and_chapter_box_state_the_waits_and_faults_the_checks_use() -> None:
    from labs.saga import checks as c

    lab_contract.expect_readme_states_how_the_app_runs(SAGA)
    lab_contract.expect_readme_says(
        SAGA, f"places {c.CONCURRENT_ORDERS} orders, {c.CONCURRENT_CLIENTS} at a time",
        f"placed {c.CONCURRENT_CLIENTS} at a time",
        f"a timeout of at most {c.CALL_TIMEOUT_S:g} second",
        f"waits at most {c.START_TIMEOUT_S:g} s for your saga's first call",
        f"at most {c.SAGA_TIMEOUT_S:g} s for a final status",
        f"within {c.SAGA_TIMEOUT_S:g} s ({c.CONCURRENT_FINAL_S:g} s for the "
        f"{c.CONCURRENT_ORDERS} concurrent orders)",
        f"the first charge call takes {c.SLOW_CALL_MS / 1000:g} s",
        f"the charge takes {c.KILLED_CALL_MS / 1000:g} s",
        f"waits up to {c.CHARGE_REACHED_S:g} s for the charge call",
        f"waits up to {c.RESTART_READY_S:g} s for `GET /healthz`",
        f"Within {c.RECOVERED_S:g} s more the order must be final",
        f"call inventory within {c.CONCURRENT_START_S:g} s",
        f"final within {c.CONCURRENT_FINAL_S:g} s of the first `POST`")
    assert c.SLOW_CALL_MS / 1000 > c.CALL_TIMEOUT_S  # the slow charge outlasts any timeout
    assert SAGA.spec.app.ready.timeout == c.RESTART_READY_S
    lab_contract.expect_lab_box_says(
        SAGA, "Timeouts of at most a second", f"{c.CONCURRENT_ORDERS} concurrent orders")
    assert c.CALL_TIMEOUT_S == 1
