"""Hostile submissions graded by the real engine on Docker, each beside an honest learner.

Every case asserts its own verdict and message; the `attack` fixture asserts for every case
that the honest learner still got full marks in about the normal time, dockerd answers, no
sandbox was left behind, no file on the host changed and no planted secret leaked.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from labs.results import GradeResult, Status, Verdict
from tests.support.networks import gateway_of

pytestmark = [pytest.mark.docker, pytest.mark.slow]

PORT_CLOSED = 'the service "app" never became ready: no answer to connections on port 8000'
# A check that waited in vain: its own timeout, or (the last one) cut by the grade's limit.
HUNG = re.compile(r"^(check timed out after [\d.]+s|no answer within [\d.]+s: )")


def messages(result: GradeResult) -> list[str]:
    return [check.message for check in result.checks]


def statuses(result: GradeResult) -> list[Status]:
    return [check.status for check in result.checks]


def expect_never_ready(result: GradeResult) -> None:
    assert (result.verdict, result.score) == (Verdict.NOT_READY, 0), result.to_json()
    assert result.cause.startswith(PORT_CLOSED), result.cause
    assert set(messages(result)) == {f"not run: {result.cause}"}, messages(result)
    assert set(statuses(result)) == {Status.BLOCKED}, statuses(result)


def test_a_fork_bomb_never_gets_ready(attack) -> None:
    expect_never_ready(attack("fork_bomb"))


def test_a_memory_bomb_at_import_is_a_memory_limit(attack) -> None:
    result = attack("memory_bomb_at_import")
    assert (result.verdict, result.score) == (Verdict.MEMORY_LIMIT, 0), result.to_json()
    assert result.cause == ('the service "app" never became ready: killed for going over its '
                            "memory limit")
    assert messages(result)[0] == f"not run: {result.cause}"


def test_a_memory_bomb_in_a_handler_is_a_memory_limit(attack) -> None:
    result = attack("memory_bomb_in_handler")
    assert (result.verdict, result.score) == (Verdict.MEMORY_LIMIT, 1), result.to_json()
    assert messages(result)[1].startswith("the connection was closed without an answer: the "
                                          "service was killed: it went over its memory limit")
    assert messages(result)[2:] == ["not run: the service was killed: it went over its "
                                    "memory limit"] * 2
    assert statuses(result)[2:] == [Status.BLOCKED] * 2


def test_a_cpu_spin_at_import_never_gets_ready(attack) -> None:
    expect_never_ready(attack("cpu_spin_at_import"))


def test_a_cpu_spin_in_a_handler_fails_that_check_only(attack) -> None:
    result = attack("cpu_spin_in_handler")
    assert (result.verdict, result.score) == (Verdict.GRADED, 4), result.to_json()
    assert HUNG.match(messages(result)[1]), messages(result)
    assert statuses(result) == [Status.PASSED, Status.FAILED, Status.PASSED, Status.PASSED]


def test_sleeping_before_binding_never_gets_ready(attack) -> None:
    expect_never_ready(attack("sleep_before_binding"))


@pytest.mark.parametrize("case", ["accept_never_answer", "byte_dribbling"])
def test_a_service_that_never_finishes_answering_hits_the_time_limit(attack, case) -> None:
    result = attack(case)
    assert (result.verdict, result.score) == (Verdict.TIME_LIMIT, 0), result.to_json()
    ran = [c.message for c in result.checks if c.status is Status.FAILED]
    assert all(HUNG.match(m) for m in ran), messages(result)
    assert messages(result)[len(ran):] == (
        ["not run: the grade reached its time limit of 18s"] * (4 - len(ran))), messages(result)
    assert result.cause == "the grade reached its time limit of 18s"


def test_an_endless_body_fails_every_check_as_too_large(attack) -> None:
    result = attack("endless_body")
    assert (result.verdict, result.score) == (Verdict.GRADED, 0), result.to_json()
    assert all(re.fullmatch(r"the service answered with a response to (GET|POST) /\w+ larger "
                            r"than 1024 KiB", m) for m in messages(result)), messages(result)


@pytest.mark.parametrize(("folder", "error"), [
    ("/tmp", "No space left on device"),
    ("/app", "Permission denied"),
    ("/", "Read-only file system"),
    ("/var/tmp", "Read-only file system"),
])
def test_filling_a_disk_stops_at_its_wall(attack, folder: str, error: str) -> None:
    result = attack("disk_fill", **{"target.txt": folder})
    assert (result.verdict, result.score) == (Verdict.NOT_READY, 0), result.to_json()
    assert result.cause == 'the service "app" never became ready: exited with code 1'
    assert messages(result)[0] == f"not run: {result.cause}"
    assert f"filled {folder} with " in result.log_tail and error in result.log_tail, \
        result.log_tail


def test_a_crash_in_a_handler_is_reported_with_its_log(attack) -> None:
    result = attack("crash_in_handler")
    assert (result.verdict, result.score) == (Verdict.CRASHED, 3), result.to_json()
    assert messages(result)[2].startswith("the connection was closed without an answer: the "
                                          "service crashed (exit code 3); last log lines:")
    assert "counter overflow: giving up" in messages(result)[2]
    assert messages(result)[3] == "not run: the service crashed (exit code 3)"
    assert result.cause == "the service crashed (exit code 3)"
    assert "counter overflow: giving up" in result.log_tail


def test_an_output_flood_is_capped_and_grading_goes_on(attack) -> None:
    result = attack("output_flood")
    assert (result.verdict, result.score) == (Verdict.GRADED, 6), result.to_json()
    assert "-flood " in result.log_tail
    assert len(result.log_tail) <= 8100, f"log tail of {len(result.log_tail)} characters"


@pytest.fixture
def docker0_gateway(docker_client) -> str:
    return gateway_of(docker_client.networks.get("bridge"))


@pytest.fixture
def host_listener(docker0_gateway: str) -> Iterator[socket.socket]:
    """A host service on the Docker bridge's host address (where a web app bound to every
    interface is reachable from containers), counting connections. Bound there only, so
    nothing outside this machine's Docker networks can reach it."""
    server = socket.create_server((docker0_gateway, 0))
    server.setblocking(False)
    yield server
    server.close()


def test_outbound_connections_are_all_blocked(attack, host_listener, docker0_gateway: str,
                                              redis_url: str) -> None:
    web_port = host_listener.getsockname()[1]
    redis_port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    targets = {"internet-https": ["1.1.1.1", 443], "internet-dns": ["8.8.8.8", 53],
               "metadata": ["169.254.169.254", 80],
               "docker0-webapp": [docker0_gateway, web_port],
               "docker0-redis": [docker0_gateway, redis_port],
               "gateway-webapp": ["own-gateway", web_port],
               "gateway-redis": ["own-gateway", redis_port]}
    result = attack("outbound_connections", **{"targets.json": json.dumps(targets)})
    assert (result.verdict, result.score) == (Verdict.GRADED, 6), result.to_json()
    for name in targets:
        assert f"outbound {name}: blocked" in result.log_tail, result.log_tail
    assert "CONNECTED" not in result.log_tail
    with pytest.raises(BlockingIOError):
        host_listener.accept()  # nobody got through to the host service


SNOOPED = {
    "the reference solution": lambda target, other: [target.solution],
    "the checks": lambda target, other: [target.lab_dir / "checks.py", target.lab_dir],
    "other learners' submissions": lambda target, other: [other, other.parent],
    "the grader's environment": lambda target, other: [Path("/proc/1/environ")],
    "the Docker socket": lambda target, other: [Path("/var/run/docker.sock")],
}


@pytest.mark.parametrize("what", SNOOPED)
def test_snooping_finds_no_secret(attack, target, tmp_path: Path, what: str) -> None:
    paths = [str(p) for p in SNOOPED[what](target, tmp_path / "other-learner")]
    targets = {"reversed_prefix": target.prefix[::-1], "paths": paths}
    result = attack("snooper", **{"targets.json": json.dumps(targets)})
    assert (result.verdict, result.score) == (Verdict.GRADED, 6), result.to_json()
    assert re.search(r"searched \d+ places; found 0", result.log_tail), result.log_tail
    for path in paths:
        assert (f"host path {path}: absent" in result.log_tail
                or path.startswith("/proc")), result.log_tail
    for socket_path in ("/var/run/docker.sock", "/run/docker.sock"):
        assert f"docker socket {socket_path}: FileNotFoundError" in result.log_tail


def test_killing_pid_1_and_everything_leaves_the_service_standing(attack) -> None:
    result = attack("kill_everything")
    assert (result.verdict, result.score) == (Verdict.GRADED, 6), result.to_json()
    # PID 1 (docker-init) ignores a SIGKILL sent from inside its namespace; -1 finds no one
    # else the app's user may signal: not the grader, not the other learner, not the host.
    assert result.log_tail == "kill -9 1: sent\nkill -9 -1: No such process", result.log_tail


@pytest.mark.parametrize("case", ["privileged_port", "wrong_port"])
def test_a_service_on_another_port_never_gets_ready(attack, case: str) -> None:
    expect_never_ready(attack(case))


def test_a_printed_success_report_changes_nothing(attack) -> None:
    result = attack("fake_pass_printed")
    assert (result.verdict, result.score) == (Verdict.GRADED, 4), result.to_json()
    assert re.fullmatch(r"expected sum \d+, got -1", messages(result)[1]), messages(result)
    assert "All checks passed! Score: 6/6" in result.log_tail


def test_a_forged_score_in_every_answer_earns_nothing(attack) -> None:
    result = attack("forged_score_answered")
    assert (result.verdict, result.score) == (Verdict.GRADED, 1), result.to_json()
    assert messages(result)[1] == 'expected JSON member "sum", got none', messages(result)


def test_hostile_bytes_are_stored_as_printable_text(attack) -> None:
    result = attack("hostile_output")
    assert (result.verdict, result.score) == (Verdict.GRADED, 5), result.to_json()
    evidence = result.checks[3].evidence or ""
    for text in (result.log_tail, evidence, result.checks[3].message):
        text.encode("utf-8")  # valid text: no lone surrogates
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), repr(text)
    for text in (result.log_tail, evidence):
        assert "nul \\x00 ansi \\x1b[2J\\x1b[31mRED" in text, text
        assert "bad utf-8 \ufffd" in text and "<script>window.__pwned = 1</script>" in text
