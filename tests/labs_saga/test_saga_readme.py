"""The README is the learner's contract: its grading table and variables match the lab."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx
from saga_lab import SAGA

from sandboxes.local_servers import free_port
from tests.support import lab_contract
from tests.support.lab_processes import LEARNER_PYTHON

REPO = Path(__file__).resolve().parents[2]


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
    # the slow charge grades rule 2 with half a second of margin either way: a 1 s
    # timeout on a loaded machine still retries, a 2 s one hears the answer
    assert c.CALL_TIMEOUT_S + 0.5 <= c.SLOW_CALL_MS / 1000 <= 2 * c.CALL_TIMEOUT_S - 0.5
    assert SAGA.spec.app.ready.timeout == c.RESTART_READY_S
    lab_contract.expect_lab_box_says(
        SAGA, "Timeouts of at most a second", f"{c.CONCURRENT_ORDERS} concurrent orders")
    assert c.CALL_TIMEOUT_S == 1


def test_readme_states_the_status_each_definite_no_calls_for() -> None:
    """The concurrent check expects each order's status from its services' first definite
    answers (invariants.DEFINITE_NO): the README says which answer calls for which status."""
    from labs.saga.invariants import DEFINITE_NO

    nos = {status: sorted(str(no) for no, status_of in DEFINITE_NO.values()
                          if status_of == status) for _, status in DEFINITE_NO.values()}
    lab_contract.expect_readme_says(
        SAGA, "Each order must end as the services' first definite answers say",
        *(f"{' or '.join(codes)} `{status}`" for status, codes in nos.items()),
        "2xx at every step `COMPLETED`")


def test_no_call_fails_more_often_in_a_row_than_the_readme_promises() -> None:
    """A solution may count on the README's bound: neither a failing compensation nor the
    concurrent check's faults leave one call without a definite answer more often."""
    from labs.saga import checks as c

    low, high = c.COMPENSATION_FAILURES
    lab_contract.expect_readme_says(
        SAGA, f"never fails one call more than {c.MAX_FAILS_IN_A_ROW} times in a row",
        f"answers 503 {low} to {high} times")
    assert high <= c.MAX_FAILS_IN_A_ROW
    worst = {action: c.unknown_outcomes_in_a_row(knobs)
             for action, knobs in c.RANDOM_FAULTS.items()}
    assert max(worst.values()) <= c.MAX_FAILS_IN_A_ROW, worst


def test_the_readme_describes_every_fault_knob_and_action_the_checks_set() -> None:
    """The checks set only knobs the README's admin table explains, on its actions."""
    from labs.saga import checks as c

    source = Path(c.__file__).read_text(encoding="utf-8")
    used = set(re.findall(r"\b(fail_next|fail_status|fail_percent|down|delay_next|delay_ms|"
                          r"latency_ms|crash_next)=", source))
    used |= {knob for knobs in c.RANDOM_FAULTS.values() for knob in knobs}
    row = next(line for line in SAGA.readme.splitlines() if "`POST /admin/faults`" in line)
    assert used and all(f"`{knob}`" in row for knob in used), (used, row)
    assert all(f"`{action}`" in row for _, action in c.RANDOM_FAULTS)


def test_only_unknown_outcomes_count_toward_the_bound() -> None:
    from labs.saga.checks import unknown_outcomes_in_a_row as unknown

    assert unknown({"fail_next": (2, 7)}) == 7  # 503 by default
    assert unknown({"fail_next": 7, "fail_status": 402}) == 0  # a definite no
    assert unknown({"crash_next": 2, "delay_next": (1, 3), "delay_ms": 1500}) == 3
    assert unknown({"delay_next": 8, "delay_ms": 300}) == 0  # within the call's timeout
    assert unknown({"fail_next": 2, "crash_next": 3}) == 5


def running_locally_commands() -> list[str]:
    """The README's "Running it locally" shell lines that start the stubs, as shown."""
    block = SAGA.readme.split("## Running it locally", 1)[1].split("```sh\n", 1)[1]
    lines = block.split("```", 1)[0].splitlines()
    return lines[:lines.index("cd <your folder>")]


def test_the_readme_starts_the_stubs_as_it_shows(tmp_path: Path) -> None:
    """Run as printed (only the scratch folder and the ports swapped for free ones, and
    HOST set to loopback), the stubs answer /health and take the README's stock call."""
    ports = {8001 + n: free_port() for n in range(3)}
    script = "\n".join(running_locally_commands()).replace("/tmp/saga-stubs",
                                                           str(tmp_path / "stubs"))
    for shown, free in ports.items():
        script = script.replace(f"PORT={shown} ", f"PORT={free} ")
    assert script.count("participant.py") == 3 and "&" in script
    path = f"{Path(LEARNER_PYTHON).parent}{os.pathsep}{os.environ['PATH']}"
    shell = subprocess.Popen(["bash", "-c", f"set -e\n{script}\nwait"], cwd=REPO,
                             env={**os.environ, "HOST": "127.0.0.1", "PATH": path},
                             start_new_session=True, stderr=subprocess.PIPE, text=True)
    try:
        for port in ports.values():
            expect_health(shell, f"http://127.0.0.1:{port}/health")
        inventory = f"http://127.0.0.1:{ports[8001]}"
        stocked = httpx.post(f"{inventory}/admin/stock", content=b'{"mug-1": 5}', timeout=5)
        assert stocked.status_code == 200, stocked.text
        assert httpx.get(f"{inventory}/admin/ledger", timeout=5).json()["stock"] == {"mug-1": 5}
    finally:
        os.killpg(shell.pid, signal.SIGTERM)
        shell.wait(timeout=10)


def expect_health(shell: subprocess.Popen[str], url: str) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if shell.poll() is not None:
            raise AssertionError(f"the README's commands stopped: {shell.stderr.read()}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"GET {url} did not answer 200 within 15 s")
