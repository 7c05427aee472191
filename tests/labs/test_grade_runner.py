"""The grade runner on the fake sandbox: verdicts, events, timeouts, crashes, seeds."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import CRASH_LOG, TOY_LAB, FakeBackend, FakeSession, json_app, submission_apps

from labs.checks import CheckFailed, Checks, not_run
from labs.results import Status, Verdict
from labs.runner import SESSION_GRACE_S, grade
from labs.spec import Grading, Lab, ServiceDef
from sandboxes import BuildFailed, FaultUnsupported, SandboxError, ServiceNotReady

SOLUTION = TOY_LAB / "solution"
STARTER = SOLUTION.parent / "starter"


def with_limits(lab: Lab, time_limit: float, check_timeout: float) -> Lab:
    return dataclasses.replace(lab, grading=Grading(time_limit, check_timeout))


def test_the_solution_gets_full_marks_and_events_arrive_in_order(toy_lab: Lab,
                                                                  fake_backend) -> None:
    events = []
    result = grade(toy_lab, SOLUTION, backend=fake_backend, seed=3, submission_id="s1",
                   on_event=events.append)
    assert (result.verdict, result.gradable, result.score, result.max_score) == (
        Verdict.GRADED, True, 6, 6)
    assert [c.status for c in result.checks] == [Status.PASSED] * 3
    assert [e.kind for e in events] == ["grade_started"] + [
        "check_started", "check_finished"] * 3 + ["grade_finished"]
    assert [c["id"] for c in events[0].data["checks"]] == [
        "health_answers", "create_item_returns_201", "item_can_be_read_back"]
    assert events[-1].data["result"] == result.to_dict()
    started = fake_backend.started[0]
    assert started["session_id"] == "s1" and started["deadline_s"] == 60 + SESSION_GRACE_S
    assert fake_backend.sessions[0].closed


def test_the_starter_fails_with_expected_got_and_a_hint(toy_lab: Lab, fake_backend) -> None:
    events = []
    result = grade(toy_lab, STARTER, backend=fake_backend, seed=3, on_event=events.append)
    assert result.score == 1 and result.verdict is Verdict.GRADED
    create = result.checks[1]
    assert create.status is Status.FAILED and create.points == 0 and create.max_points == 2
    assert create.message.startswith("expected 201, got 501 from POST /items: ")
    assert create.hint == "Return 201 Created and the new item's integer id."
    assert create.evidence.startswith("> POST /items\n")
    assert result.checks[0].hint == ""
    read_back = result.checks[2]
    assert (read_back.status, read_back.points, read_back.max_points, read_back.blocked_by) == (
        Status.BLOCKED, 0, 3, "create_item_returns_201")
    assert read_back.message == ('not run: needs "Creating an item answers 201 with its id", '
                                 "which did not pass")
    assert (read_back.hint, read_back.evidence) == ("", None), "it never ran: nothing to show"
    started = [e.data["id"] for e in events if e.kind == "check_started"]
    assert started == ["health_answers", "create_item_returns_201"]


def test_a_check_that_says_it_did_not_run_shows_no_hint(toy_lab: Lab, fake_backend) -> None:
    """A check whose ground is missing says so (labs.checks.not_run) instead of testing: its
    hint is about what it would have tested, so it is left out; its own failure keeps one."""
    def finds_nothing_to_test(ctx) -> None:
        raise CheckFailed(not_run("needs records on shard1, got none"))

    def fails(ctx) -> None:
        raise CheckFailed("expected 200, got 500")

    result = grade(toy_lab, SOLUTION, backend=fake_backend,
                   checks=lab_checks(finds_nothing_to_test, fails))
    said, failed = result.checks
    assert (said.status, said.message, said.hint) == (
        Status.FAILED, "not run: needs records on shard1, got none", "")
    assert (failed.status, failed.hint) == (Status.FAILED, "try again")


def lab_checks(*functions) -> Checks:
    checks = Checks()
    for function in functions:
        checks.check(function.__name__.replace("_", " "), points=1, hint="try again")(function)
    return checks


def needing(checks: Checks, function, *needs: str) -> None:
    checks.check(function.__name__.replace("_", " "), points=2, needs=needs)(function)


def test_a_blocked_check_names_the_root_failure_through_a_chain(toy_lab: Lab,
                                                                fake_backend) -> None:
    def fails(ctx) -> None:
        ctx.expect(False, "expected a pass, got a failure")

    def needs_the_failure(ctx) -> None:
        raise AssertionError("a blocked check ran")

    def needs_the_blocked_one(ctx) -> None:
        raise AssertionError("a blocked check ran")

    def needs_only_a_pass(ctx) -> None:
        pass

    checks = lab_checks(passes, fails)
    needing(checks, needs_the_failure, "passes", "fails")
    needing(checks, needs_the_blocked_one, "needs_the_failure")
    needing(checks, needs_only_a_pass, "passes")
    result = grade(toy_lab, SOLUTION, backend=fake_backend, checks=checks)
    assert [(c.status, c.blocked_by) for c in result.checks] == [
        (Status.PASSED, None), (Status.FAILED, None), (Status.BLOCKED, "fails"),
        (Status.BLOCKED, "fails"), (Status.PASSED, None)]
    assert result.checks[3].message == 'not run: needs "fails", which did not pass'
    assert (result.score, result.max_score, result.verdict) == (3, 8, Verdict.GRADED)


def test_a_check_that_needs_a_skipped_check_is_blocked_by_it(toy_lab: Lab,
                                                            fake_backend) -> None:
    def cuts_the_network(ctx) -> None:
        raise FaultUnsupported("the process backend cannot cut links")

    def after_the_cut(ctx) -> None:
        raise AssertionError("a blocked check ran")

    checks = lab_checks(cuts_the_network)
    needing(checks, after_the_cut, "cuts_the_network")
    result = grade(toy_lab, SOLUTION, backend=fake_backend, checks=checks)
    assert [c.status for c in result.checks] == [Status.SKIPPED, Status.BLOCKED]
    assert result.checks[1].blocked_by == "cuts_the_network"


def test_checks_read_a_snapshot_of_the_submission(toy_lab: Lab, fake_backend,
                                                  tmp_path: Path) -> None:
    submission = tmp_path / "mine"
    shutil.copytree(SOLUTION, submission)
    (submission / "estimates.json").write_text('{"rps": 120}')
    seen: dict[str, object] = {}

    def reads_the_submission(ctx) -> None:
        seen["path"] = ctx.submission
        seen["estimates"] = (ctx.submission / "estimates.json").read_text()
        (submission / "estimates.json").write_text('{"rps": 1}')  # changed during the grade
        seen["after_change"] = (ctx.submission / "estimates.json").read_text()

    grade(toy_lab, submission, backend=fake_backend, checks=lab_checks(reads_the_submission))
    assert seen["estimates"] == seen["after_change"] == '{"rps": 120}'
    assert seen["path"] != submission and not Path(seen["path"]).exists(), \
        "the snapshot is the grader's own and is removed after the grade"
    assert fake_backend.started[0]["topology"].services[0].source == seen["path"], \
        "the app runs from the same snapshot the checks read"


def test_an_exception_becomes_a_plain_failure(toy_lab: Lab, fake_backend) -> None:
    def looks_up_a_missing_key(ctx) -> None:
        ctx.state["missing"]

    def answers_health(ctx) -> None:
        ctx.expect_status(ctx.http.get("/healthz"), 200)

    result = grade(toy_lab, SOLUTION, backend=fake_backend,
                   checks=lab_checks(looks_up_a_missing_key, answers_health))
    assert result.checks[0].message == ('the check could not finish: expected JSON member '
                                        '"missing", got none')
    assert result.checks[1].status is Status.PASSED
    assert result.score == 1


def test_a_crash_is_explained_and_later_checks_fail_fast(toy_lab: Lab, fake_backend) -> None:
    def app_crashes(ctx) -> None:
        ctx.session.crash("app", exit_code=3)
        ctx.http.get("/healthz")

    def never_reached(ctx) -> None:
        raise AssertionError("a check ran against a dead service")

    result = grade(toy_lab, SOLUTION, backend=fake_backend,
                   checks=lab_checks(app_crashes, never_reached))
    assert result.verdict is Verdict.CRASHED and result.gradable
    assert result.checks[0].message.startswith(
        "the service is not listening: the service crashed (exit code 3); last log lines:")
    assert (result.checks[1].status, result.checks[1].blocked_by) == (Status.BLOCKED, None)
    assert result.checks[1].message == "not run: the service crashed (exit code 3)"
    assert (result.cause, result.cause_line) == ("the service crashed (exit code 3)",
                                                 "RuntimeError: boom at app.py:21")
    assert CRASH_LOG in result.log_tail


def test_a_service_a_check_took_down_is_not_a_crash(toy_lab: Lab, fake_backend) -> None:
    def kills_the_app(ctx) -> None:
        ctx.faults.kill("app")

    result = grade(toy_lab, SOLUTION, backend=fake_backend, checks=lab_checks(kills_the_app))
    assert result.verdict is Verdict.GRADED and result.score == 1


def sleeps(ctx) -> None:
    time.sleep(3)


def passes(ctx) -> None:
    pass


SLOW_THEN_QUICK = lab_checks(sleeps, passes)


def test_a_slow_check_times_out_and_the_next_still_runs(toy_lab: Lab, fake_backend) -> None:
    lab = with_limits(toy_lab, time_limit=30, check_timeout=0.3)
    result = grade(lab, SOLUTION, backend=fake_backend, checks=SLOW_THEN_QUICK)
    assert result.checks[0].message == "check timed out after 0.3s"
    assert result.checks[0].duration_s < 1
    assert result.checks[1].status is Status.PASSED
    assert result.verdict is Verdict.GRADED


def test_timings_count_the_checks_and_the_teardown(toy_lab: Lab) -> None:
    def slow_teardown(session: FakeSession) -> None:
        close = session.close

        def close_slowly() -> None:
            time.sleep(0.2)
            close()

        session.close = close_slowly

    backend = FakeBackend(submission_apps, on_start=slow_teardown)
    result = grade(toy_lab, SOLUTION, backend=backend, checks=SLOW_THEN_QUICK)
    assert 3 <= result.timings.checks_s < result.duration_s
    assert result.timings.teardown_s >= 0.2
    assert backend.sessions[0].closed


def test_the_time_limit_stops_what_is_left(toy_lab: Lab, fake_backend) -> None:
    lab = with_limits(toy_lab, time_limit=1.2, check_timeout=10)
    result = grade(lab, SOLUTION, backend=fake_backend, checks=SLOW_THEN_QUICK)
    assert result.verdict is Verdict.TIME_LIMIT and result.gradable
    assert result.checks[0].status is Status.FAILED
    assert (result.checks[1].status, result.checks[1].blocked_by) == (Status.BLOCKED, None)
    assert result.checks[1].message == "not run: the grade reached its time limit of 1.2s"
    assert result.cause == "the grade reached its time limit of 1.2s"
    assert result.duration_s < 2.5


SYNTAX_ERROR_LOG = ('  File "/app/app.py", line 3\n    def f(:\n          ^\n'
                    "SyntaxError: invalid syntax\n")


def dribbling_app(environ: dict, start_response) -> Iterator[bytes]:  # type: ignore[no-untyped-def]
    """Answers every request at once, then its body a byte every 50 ms, for ever."""
    start_response("200 OK", [("Content-Type", "application/json")])
    while True:
        yield b" "
        time.sleep(0.05)


@pytest.mark.parametrize("only_one_check", [False, True])
def test_a_body_that_never_ends_cannot_hold_the_grade_past_its_time_limit(
        toy_lab: Lab, only_one_check: bool) -> None:
    lab = with_limits(toy_lab, time_limit=2, check_timeout=10)
    started = time.monotonic()
    result = grade(lab, SOLUTION, backend=FakeBackend(lambda topology: {"app": dribbling_app}),
                   checks=lab_checks(answers_health) if only_one_check else None)
    took = time.monotonic() - started
    assert took < 3, f"the grade took {took:.1f}s of its 2s"
    assert result.verdict is Verdict.TIME_LIMIT
    assert re.fullmatch(r"the answer did not end within [\d.]+s \(its body kept coming\): "
                        r"GET /healthz", result.checks[0].message), result.checks[0].message
    assert result.cause == "the grade reached its time limit of 2s"


def test_not_ready_says_why_once_and_blocks_every_check(toy_lab: Lab) -> None:
    def refuse(session: FakeSession) -> None:
        def wait_ready(timeout: float | None = None) -> None:
            raise ServiceNotReady("app", SYNTAX_ERROR_LOG, 1, False)
        session.wait_ready = wait_ready

    result = grade(toy_lab, SOLUTION, backend=FakeBackend(submission_apps, on_start=refuse))
    assert (result.verdict, result.gradable, result.score) == (Verdict.NOT_READY, True, 0)
    assert result.cause == 'the service "app" never became ready: exited with code 1'
    assert result.cause_line == "SyntaxError: invalid syntax at app.py:3"
    assert {(c.status, c.blocked_by) for c in result.checks} == {(Status.BLOCKED, None)}
    assert result.checks[0].message == ('not run: the service "app" never became ready: '
                                        "exited with code 1")
    assert (result.checks[0].evidence, result.checks[0].hint) == (None, ""), \
        "the log is shown once, for the grade, not in every check"
    assert result.log_tail == SYNTAX_ERROR_LOG


def test_a_store_that_never_becomes_ready_is_the_sandboxs_failure_not_the_learners(
        toy_lab: Lab) -> None:
    """A sharding verify on the process backend once saw a shard's PostgreSQL exit 1 at start
    (its port taken): no learner code had run, so the grade must not count against them."""
    lab = dataclasses.replace(toy_lab, services=(ServiceDef("db", "postgres"),))
    log = ('LOG:  starting PostgreSQL 15\nLOG:  could not bind IPv4 address "127.0.0.1": '
           'Address already in use\nFATAL:  could not create any TCP/IP sockets')

    def refuse(session: FakeSession) -> None:
        def wait_ready(timeout: float | None = None) -> None:
            raise ServiceNotReady("db", log, 1, False)
        session.wait_ready = wait_ready

    result = grade(lab, SOLUTION, backend=FakeBackend(submission_apps, on_start=refuse))
    assert (result.verdict, result.gradable, result.score) == (
        Verdict.INFRASTRUCTURE_ERROR, False, 0)
    assert result.cause == ('the sandbox failed (the service "db" never became ready: exited '
                            'with code 1); this attempt does not count')
    assert result.cause_line == "FATAL:  could not create any TCP/IP sockets"
    assert {c.status for c in result.checks} == {Status.SKIPPED}
    assert result.log_tail == log


def test_an_infrastructure_error_is_not_gradable(toy_lab: Lab) -> None:
    def broken(topology) -> dict:
        raise SandboxError("docker engine went away")

    events = []
    result = grade(toy_lab, SOLUTION, backend=FakeBackend(broken), on_event=events.append)
    assert (result.verdict, result.gradable, result.score) == (
        Verdict.INFRASTRUCTURE_ERROR, False, 0)
    assert {c.status for c in result.checks} == {Status.SKIPPED}
    assert "docker engine went away" in result.checks[0].message
    assert [e.kind for e in events].count("check_finished") == 3


def test_an_image_that_does_not_build_is_build_failed_with_the_build_output(
        toy_lab: Lab) -> None:
    build_log = "Step 2/4 : COPY api.py ./\nCOPY failed: file not found in build context"

    def broken_build(topology) -> dict:
        raise BuildFailed("app", "COPY failed: file not found in build context", build_log)

    result = grade(toy_lab, SOLUTION, backend=FakeBackend(broken_build))
    assert (result.verdict, result.gradable, result.score) == (Verdict.BUILD_FAILED, True, 0)
    assert result.cause == ('the image of "app" did not build: COPY failed: file not found in '
                            "build context (the build's output is in the log)")
    assert {(c.status, c.blocked_by) for c in result.checks} == {(Status.BLOCKED, None)}
    assert result.checks[0].message == f"not run: {result.cause}"
    assert result.log_tail == build_log


def test_a_backend_without_what_the_lab_requires_grades_nothing_and_counts_nothing(
        toy_lab: Lab, fake_backend) -> None:
    needs_docker = dataclasses.replace(toy_lab, requires=("docker",))
    result = grade(needs_docker, SOLUTION, backend=fake_backend)
    assert (result.verdict, result.gradable, result.score) == (
        Verdict.NOT_GRADABLE_HERE, False, 0)
    assert {c.status for c in result.checks} == {Status.SKIPPED}
    assert result.cause == (
        "this lab can only be graded on the Docker sandbox, which builds the submission's "
        "Dockerfile; the fake sandbox cannot grade it, so this attempt does not count")
    assert result.checks[0].message == f"not run: {result.cause}"
    assert fake_backend.started == [], "a sandbox started for a lab it cannot grade"
    fake_backend.provides = frozenset({"docker"})
    assert grade(needs_docker, SOLUTION, backend=fake_backend).full_marks


def test_an_unsupported_fault_skips_the_check(toy_lab: Lab, fake_backend) -> None:
    def cuts_the_network(ctx) -> None:
        raise FaultUnsupported("the process backend cannot cut links")

    result = grade(toy_lab, SOLUTION, backend=fake_backend,
                   checks=lab_checks(cuts_the_network))
    assert result.checks[0].status is Status.SKIPPED
    assert "cannot cut links" in result.checks[0].message


@pytest.mark.parametrize(("make", "problem"), [
    (lambda d: d, "the submission is empty"),
    (lambda d: d / "missing", "is not a folder"),
    (lambda d: (d / "link").symlink_to("/etc/passwd") or d, "symbolic link: link"),
    (lambda d: os.mkfifo(d / "pipe") or d, "special file: pipe"),
])
def test_an_invalid_submission_is_rejected_without_a_sandbox(toy_lab: Lab, fake_backend,
                                                             tmp_path: Path, make,
                                                             problem: str) -> None:
    result = grade(toy_lab, make(tmp_path), backend=fake_backend)
    assert result.verdict is Verdict.REJECTED and result.score == 0
    assert problem in result.checks[0].message
    assert fake_backend.started == []


def test_the_same_seed_gives_the_same_test_data(toy_lab: Lab, fake_backend) -> None:
    def draws(ctx) -> None:
        ctx.metric("draw", ctx.random.randrange(10**9))

    def drawn(seed: int) -> float:
        result = grade(toy_lab, SOLUTION, backend=fake_backend, seed=seed,
                       checks=lab_checks(draws))
        assert result.seed == seed
        return result.metrics[0]["value"]

    assert drawn(11) == drawn(11)
    assert drawn(11) != drawn(12)


def test_a_service_killed_for_memory_at_start_is_a_memory_limit(toy_lab: Lab) -> None:
    def hoards(session: FakeSession) -> None:
        def wait_ready(timeout: float | None = None) -> None:
            raise ServiceNotReady("app", "hoarding", 137, oom_killed=True)
        session.wait_ready = wait_ready

    result = grade(toy_lab, SOLUTION, backend=FakeBackend(submission_apps, on_start=hoards))
    assert (result.verdict, result.gradable, result.score) == (Verdict.MEMORY_LIMIT, True, 0)
    assert result.checks[0].message == ('not run: the service "app" never became ready: '
                                        "killed for going over its memory limit")
    assert result.cause_line == "", "a memory kill has no log line to blame"


def test_a_service_killed_for_memory_mid_grade_is_a_memory_limit(toy_lab: Lab,
                                                                fake_backend) -> None:
    def app_hoards(ctx) -> None:
        ctx.session.crash("app", exit_code=137, oom_killed=True)
        ctx.http.get("/healthz")

    result = grade(toy_lab, SOLUTION, backend=fake_backend,
                   checks=lab_checks(app_hoards, passes))
    assert result.verdict is Verdict.MEMORY_LIMIT and result.gradable
    assert result.checks[0].message.startswith("the service is not listening: the service "
                                               "was killed: it went over its memory limit")
    assert result.checks[1].message == ("not run: the service was killed: it went over its "
                                        "memory limit")


def test_a_session_torn_down_at_its_deadline_is_a_time_limit(toy_lab: Lab,
                                                             fake_backend) -> None:
    def outlives_the_sandbox(ctx) -> None:
        ctx.session.expired = True
        raise SandboxError("session s passed its deadline and was torn down")

    result = grade(toy_lab, SOLUTION, backend=fake_backend,
                   checks=lab_checks(passes, outlives_the_sandbox, answers_health))
    assert (result.verdict, result.gradable) == (Verdict.TIME_LIMIT, True)
    assert [c.status for c in result.checks] == [Status.PASSED, Status.BLOCKED, Status.BLOCKED]


def test_control_characters_from_the_app_are_stored_escaped(toy_lab: Lab) -> None:
    nasty = b"nul \x00 esc \x1b[31m bad \xff <b>"

    def apps(topology) -> dict:
        return {"app": json_app({("GET", "/healthz"): lambda environ: (500, nasty)})}

    backend = FakeBackend(apps)
    result = grade(toy_lab, SOLUTION, backend=backend, checks=lab_checks(answers_health))
    check = result.checks[0]
    assert check.message == ("expected 200, got 500 from GET /healthz: nul \\x00 esc "
                             "\\x1b[31m bad \ufffd <b>")
    assert "nul \\x00 esc \\x1b[31m" in (check.evidence or "")


def answers_health(ctx) -> None:
    ctx.expect_status(ctx.http.get("/healthz"), 200)


def with_a_worker(lab: Lab) -> Lab:
    """The toy lab with a second program of the learner's, as a queue lab has."""
    worker = ServiceDef(name="worker", kind="learner", command=("python3", "worker.py"))
    return dataclasses.replace(lab, services=(*lab.services, worker))


def test_a_crash_of_a_second_learner_program_is_named(toy_lab: Lab, fake_backend) -> None:
    def worker_crashes(ctx) -> None:
        ctx.session.crash("worker", exit_code=2)
        ctx.expect(False, "expected the job done, got queued")

    result = grade(with_a_worker(toy_lab), SOLUTION, backend=fake_backend,
                   checks=lab_checks(worker_crashes, passes))
    assert result.verdict is Verdict.CRASHED
    assert result.checks[1].message == 'not run: the service "worker" crashed (exit code 2)'
    assert result.log_tail.startswith("--- app ---\napp starting\n--- worker ---\n")
    assert CRASH_LOG in result.log_tail


def test_a_second_program_a_check_took_down_is_not_a_crash(toy_lab: Lab,
                                                          fake_backend) -> None:
    def kills_the_worker(ctx) -> None:
        ctx.faults.kill("worker")

    result = grade(with_a_worker(toy_lab), SOLUTION, backend=fake_backend,
                   checks=lab_checks(kills_the_worker, passes))
    assert result.verdict is Verdict.GRADED and result.score == 2
