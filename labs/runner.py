"""Grade one submission: start its sandbox, run the lab's checks in order, return the result.

Every outcome is a GradeResult, never an exception: a submission that does not start is a
`not_ready` verdict with its log (`memory_limit` when it was killed for its memory), an image
that does not build is `build_failed` with the build's output as the log, a sandbox failure
is `infrastructure_error` (not the learner's fault, so not gradable, its checks skipped), and
a backend that lacks what the lab requires (lab.toml's `requires`) is `not_gradable_here`:
nothing runs and nothing counts. A check whose prerequisite (`needs=`) did not pass is not
run: it is `blocked` by the root failed check. When the grade itself stops (rejected, never
ready, crashed, out of time) the checks left are blocked by that one `cause`, stated once
with the decisive line of the app's log. Checks read the submission from the grader's own
snapshot of it (`ctx.submission`), which the running app cannot touch. Text the learner's
code controls (its log, answers quoted in messages and evidence) is stored printable:
control characters are shown escaped.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from labs.catalog import load_checks
from labs.checks import NOT_RUN, Check, Checks, blocked_message, not_run, root_blocker
from labs.context import CheckContext, GradeState
from labs.evidence import excerpt, printable, render_evidence
from labs.explain import explain
from labs.failures import CheckFailed
from labs.learner_code import first_crash, learner_logs
from labs.results import CheckResult, Event, GradeResult, GradeTimings, Status, Verdict
from labs.spec import Lab
from labs.submission import submission_problem
from labs.topology import build_topology
from labs.tracebacks import decisive_line
from labs.wording import quoted
from sandboxes import BuildFailed, FaultUnsupported, SandboxError, ServiceNotReady

HTTP_TIMEOUT = 10.0
LOG_TAIL_LINES = 50
# The sandbox's own deadline comes this long after the grade's, so the runner ends the grade
# (last check cut, log read, teardown) before the watchdog tears the session down under it.
SESSION_GRACE_S = 10.0
# A check is not started with less time than this left: the grade has reached its limit.
MIN_CHECK_S = 0.5

EventHandler = Callable[[Event], None]


def time_limit_reached(seconds: float) -> str:
    """Why a grade stopped at its lab's time limit: its cause, and what the checks it kept
    from running say after "not run: " (each lab's README quotes it, "## Limits")."""
    return f"the grade reached its time limit of {seconds:g}s"


def check_timed_out(seconds: float) -> str:
    """The message of a check that ran out of its time (the README's "## Limits" quotes it)."""
    return f"check timed out after {round(seconds, 1):g}s"


def grade(lab: Lab, submission_dir: Path, *, backend: Any, seed: int | None = None,
          submission_id: str | None = None, on_event: EventHandler | None = None,
          checks: Checks | None = None) -> GradeResult:
    """Grade `submission_dir` against `lab` in a session of `backend`."""
    run = _Grade(lab, checks if checks is not None else load_checks(lab),
                 seed if seed is not None else random.SystemRandom().randrange(2**31),
                 submission_id or f"{lab.id}-{uuid.uuid4().hex[:12]}", on_event)
    return run.execute(Path(submission_dir), backend)


@dataclass
class _Outcome:
    """What a check's thread left behind: nothing (passed) or the exception it raised."""

    error: BaseException | None = None


class _Grade:
    """The state of one grade in progress."""

    def __init__(self, lab: Lab, checks: Checks, seed: int, submission_id: str,
                 on_event: EventHandler | None) -> None:
        self.lab = lab
        self.checks = list(checks)
        self.submission_id = submission_id
        self.on_event = on_event
        self.shared = GradeState(seed=seed)
        self.results: list[CheckResult] = []
        self.verdict = Verdict.GRADED
        self.gradable = True
        self.log_tail = ""
        self.cause = ""
        self.cause_line = ""
        self.learner_files: list[str] = []
        self.timings = GradeTimings()
        self.started_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.started = time.monotonic()
        self.deadline = self.started + lab.grading.time_limit

    def execute(self, submission_dir: Path, backend: Any) -> GradeResult:
        self.emit("grade_started", {
            "lab_id": self.lab.id, "submission_id": self.submission_id,
            "seed": self.shared.seed,
            "checks": [{"id": c.id, "name": c.name, "max_points": c.points}
                       for c in self.checks]})
        problem = submission_problem(submission_dir)
        unmet = unmet_requirement(self.lab, backend)
        if unmet:
            self.verdict = Verdict.NOT_GRADABLE_HERE
            self.gradable = False
            self.cause = unmet
            self.finish_remaining(Status.SKIPPED, not_run(unmet))
        elif problem:
            self.verdict = Verdict.REJECTED
            self.stop(problem)
        else:
            with tempfile.TemporaryDirectory(prefix="archlab-grade-") as scratch:
                snapshot = Path(scratch) / "submission"
                shutil.copytree(submission_dir, snapshot, symlinks=True)
                self.learner_files = [str(path.relative_to(snapshot))
                                      for path in snapshot.rglob("*") if path.is_file()]
                self.run_in_sandbox(snapshot, backend)
        result = GradeResult(
            lab_id=self.lab.id, submission_id=self.submission_id, seed=self.shared.seed,
            gradable=self.gradable, verdict=self.verdict,
            score=sum(r.points for r in self.results),
            max_score=sum(c.points for c in self.checks), checks=self.results,
            started_at=self.started_at, duration_s=round(time.monotonic() - self.started, 3),
            log_tail=self.log_tail, metrics=self.shared.metrics, charts=self.shared.charts,
            cause=self.cause, cause_line=self.cause_line, timings=self.timings)
        self.emit("grade_finished", {"result": result.to_dict()})
        return result

    def run_in_sandbox(self, submission_dir: Path, backend: Any) -> None:
        try:
            topology = build_topology(self.lab, submission_dir)
            began = time.monotonic()
            session = backend.start(topology, session_id=self.submission_id,
                                    labels={"archlab.lab": self.lab.id,
                                            "archlab.submission": self.submission_id},
                                    deadline_s=self.lab.grading.time_limit + SESSION_GRACE_S)
            self.timings.sandbox_start_s = round(
                time.monotonic() - began - getattr(session, "ready_wait_s", 0.0), 3)
            try:
                self.run_session(session, submission_dir)
            except SandboxError:
                if not getattr(session, "expired", False):
                    raise
                self.reach_time_limit()  # the session's own deadline tore it down
            finally:
                try:
                    self.log_tail = self.read_log_tail(session)
                finally:
                    self.tear_down(session)
        except BuildFailed as exc:
            self.verdict = Verdict.BUILD_FAILED
            self.log_tail = printable(excerpt(exc.log_tail, 8000))
            self.stop(f"the image of {quoted(exc.name)} did not build: {exc.reason} (the "
                      "build's output is in the log)")
        except ServiceNotReady as exc:
            if exc.name not in {service.name for service in self.lab.learner_services}:
                self.not_ready_beyond_the_learner(exc)
                return
            self.verdict = Verdict.MEMORY_LIMIT if exc.oom_killed else Verdict.NOT_READY
            self.log_tail = printable(excerpt(exc.log_tail, 8000)) or self.log_tail
            self.stop(f"the service {quoted(exc.name)} never became ready: {exc.describe()}",
                      log=None if exc.oom_killed else exc.log_tail)
        except SandboxError as exc:
            self.verdict = Verdict.INFRASTRUCTURE_ERROR
            self.gradable = False
            self.cause = f"the sandbox failed ({exc}); this attempt does not count"
            self.finish_remaining(Status.SKIPPED, not_run(self.cause))

    def not_ready_beyond_the_learner(self, exc: ServiceNotReady) -> None:
        """A store or lab stub that never became ready (e.g. PostgreSQL could not bind its
        port) runs none of the learner's code: the sandbox failed, the attempt does not
        count. Its log is kept for the operator."""
        self.verdict = Verdict.INFRASTRUCTURE_ERROR
        self.gradable = False
        self.log_tail = printable(excerpt(exc.log_tail, 8000)) or self.log_tail
        self.cause = (f"the sandbox failed (the service {quoted(exc.name)} never became "
                      f"ready: {exc.describe()}); this attempt does not count")
        self.cause_line = self.decisive(exc.log_tail)
        self.finish_remaining(Status.SKIPPED, not_run(self.cause))

    def tear_down(self, session: Any) -> None:
        began = time.monotonic()
        session.close()
        self.timings.teardown_s = round(time.monotonic() - began, 3)

    def run_session(self, session: Any, submission: Path) -> None:
        session.wait_ready()
        self.timings.service_ready_s = round(getattr(session, "ready_wait_s", 0.0), 3)
        began = time.monotonic()
        try:
            self.run_checks(session, submission)
        finally:
            self.timings.checks_s = round(time.monotonic() - began, 3)

    def run_checks(self, session: Any, submission: Path) -> None:
        for check in self.checks:
            if self.cause:  # the learner's code crashed: what is left cannot run
                self.finish_remaining(Status.BLOCKED, not_run(self.cause))
                break
            remaining = self.deadline - time.monotonic()
            if remaining <= MIN_CHECK_S:
                self.reach_time_limit()
                return
            blocker = self.blocker_of(check)
            if blocker is not None:
                self.record(_blocked(check, blocker))
                continue
            self.emit("check_started", {"id": check.id, "name": check.name,
                                        "index": len(self.results)})
            timeout = min(self.lab.grading.check_timeout, remaining)
            result = self.run_check(session, check, timeout, submission)
            self.record(result)
            if result.status is not Status.FAILED:
                continue
            if (timeout < self.lab.grading.check_timeout
                    and self.deadline - time.monotonic() <= MIN_CHECK_S):
                self.reach_time_limit()  # the grade's limit, not the check's, cut it short
                return
            self.stop_if_crashed(session)
        down = first_crash(session, self.lab, self.shared.taken_down)
        if down is not None:
            self.verdict = Verdict.MEMORY_LIMIT if down.status.oom_killed else Verdict.CRASHED

    def blocker_of(self, check: Check) -> CheckResult | None:
        """The root failed check behind the first of `check`'s needs that did not pass."""
        not_passed = {r.id: r.blocked_by for r in self.results if r.status is not Status.PASSED}
        root = root_blocker(check, not_passed)
        return next(r for r in self.results if r.id == root) if root else None

    def run_check(self, session: Any, check: Check, timeout: float,
                  submission: Path) -> CheckResult:
        started = time.monotonic()
        ctx = CheckContext(session, check.id, self.shared, deadline=started + timeout,
                           http_timeout=min(HTTP_TIMEOUT, timeout), submission=submission)
        outcome = _Outcome()

        def target() -> None:
            try:
                check.function(ctx)
            except BaseException as exc:
                outcome.error = exc

        thread = threading.Thread(target=target, name=f"check-{check.id}", daemon=True)
        thread.start()
        thread.join(max(0.0, started + timeout - time.monotonic()))  # setup counts too
        timed_out = thread.is_alive()
        evidence = ctx.last_exchange()
        ctx.close()
        duration = round(time.monotonic() - started, 3)
        if timed_out:
            return _result(check, Status.FAILED, check_timed_out(timeout), evidence, duration)
        error = outcome.error
        if error is None:
            return _result(check, Status.PASSED, "", None, duration)
        if isinstance(error, CheckFailed):
            return _result(check, Status.FAILED, error.message,
                           render_evidence(error.evidence) or evidence, duration)
        if isinstance(error, FaultUnsupported):
            return _result(check, Status.SKIPPED, f"skipped: this sandbox cannot inject the "
                           f"fault this check needs ({error})", None, duration)
        if isinstance(error, SandboxError):
            raise error
        return _result(check, Status.FAILED, explain(error, session), evidence, duration)

    def stop_if_crashed(self, session: Any) -> None:
        """Make a program of the learner's that died on its own (not taken down by a check)
        the cause that stops the grade, with the decisive line of its log."""
        down = first_crash(session, self.lab, self.shared.taken_down)
        if down is None:
            return
        try:
            log = None if down.status.oom_killed else session.logs(down.service,
                                                                   lines=LOG_TAIL_LINES)
        except SandboxError:
            log = None
        self.cause = down.message
        self.cause_line = self.decisive(log)

    def reach_time_limit(self) -> None:
        self.verdict = Verdict.TIME_LIMIT
        self.stop(time_limit_reached(self.lab.grading.time_limit))

    def stop(self, cause: str, log: str | None = None) -> None:
        """End the grade for `cause`: every check left is blocked by it, said once."""
        self.cause, self.cause_line = cause, self.decisive(log)
        self.finish_remaining(Status.BLOCKED, not_run(cause))

    def decisive(self, log: str | None) -> str:
        """The line of `log` that says why the app died, printable; "" without one."""
        line = decisive_line(log, self.learner_files) if log else None
        return printable(excerpt(line, 300)) if line else ""

    def record(self, result: CheckResult) -> None:
        self.results.append(result)
        self.emit("check_finished", {"check": result.to_dict()})

    def finish_remaining(self, status: Status, message: str, evidence: str | None = None
                         ) -> None:
        for check in self.checks[len(self.results):]:
            self.record(_result(check, status, message, evidence, ran=False))

    def read_log_tail(self, session: Any) -> str:
        try:
            return printable(excerpt(learner_logs(session, self.lab, LOG_TAIL_LINES), 8000))
        except SandboxError:
            return self.log_tail

    def emit(self, kind: str, data: dict[str, Any]) -> None:
        if self.on_event is not None:
            self.on_event(Event(kind, data))


def unmet_requirement(lab: Lab, backend: Any) -> str | None:
    """Why `backend` cannot grade `lab` (it lacks something lab.toml `requires`), or None."""
    needed = lab.needs_beyond(backend)
    if needed is None:
        return None
    return (f"this lab can only be graded on {needed}; the {getattr(backend, 'name', 'this')} "
            "sandbox cannot grade it, so this attempt does not count")


def _result(check: Check, status: Status, message: str, evidence: str | None = None,
            duration: float = 0.0, ran: bool = True) -> CheckResult:
    """The result of `check`; its hint only when it ran and failed (else it cannot help). A
    check that found its ground missing and says it did not run (labs.checks.not_run) tested
    nothing its hint is about: it gets none either."""
    points = check.points if status is Status.PASSED else 0
    hint = (check.hint if status is Status.FAILED and ran and not message.startswith(NOT_RUN)
            else "")
    return CheckResult(id=check.id, name=check.name, status=status, points=points,
                       max_points=check.points, message=printable(message),
                       evidence=None if evidence is None else printable(evidence),
                       hint=hint, duration_s=duration)


def _blocked(check: Check, root: CheckResult) -> CheckResult:
    """`check` not run because `root`, a check it needs directly or through others, failed."""
    return CheckResult(id=check.id, name=check.name, status=Status.BLOCKED, points=0,
                       max_points=check.points, message=blocked_message(root.name),
                       blocked_by=root.id)
