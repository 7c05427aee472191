"""Run a lab's checks straight against local processes, with no sandbox and no runner.

This proves a lab's checks and its reference agree before any engine runs them. Each check
gets the lab's own check_timeout; a check that raises anything but CheckFailed counts as
failed with the exception named, as the runner's explain step would fail it; a check whose
`needs=` did not pass is not run and counts as failed with the runner's "not run: needs ..."
message. The expect_* stages are what every lab's direct tests assert about its solution,
starter and mutants.
"""

from __future__ import annotations

import time
from typing import Any

from labs.checks import NOT_RUN_NEEDS, CheckFailed, blocked_message, root_blocker
from labs.context import CheckContext, GradeState
from labs.verify import Mutant
from tests.support.lab_folder import LabFolder


def run_checks(lab: LabFolder, session: Any, seed: int, only: set[str] | None = None,
               ) -> tuple[dict[str, str], GradeState]:
    """Run the checks in order (or those in `only`); failed or blocked check ids -> messages.

    `session.submission` is the folder the app runs from (the checks' `ctx.submission`).
    """
    grade, failures = GradeState(seed=seed), {}
    blocked_by: dict[str, str | None] = {}  # checks that did not pass -> their root blocker
    names = {check.id: check.name for check in lab.checks}
    for check in lab.checks:
        if only is not None and check.id not in only:
            continue
        root = root_blocker(check, blocked_by)
        if root is not None:
            failures[check.id], blocked_by[check.id] = blocked_message(names[root]), root
            continue
        ctx = CheckContext(session, check.id, grade, http_timeout=10,
                           deadline=time.monotonic() + lab.spec.grading.check_timeout,
                           submission=session.submission)
        try:
            check.function(ctx)
        except CheckFailed as failure:
            failures[check.id] = failure.message
        except Exception as error:
            failures[check.id] = f"{type(error).__name__}: {error}"
        finally:
            ctx.close()
        if check.id in failures:
            blocked_by[check.id] = None
    return failures, grade


def with_needs(lab: LabFolder, check_id: str) -> set[str]:
    """The check and, transitively, every check it needs: what must run to run it alone."""
    needs = {check.id: check.needs for check in lab.checks}
    wanted, todo = set(), [check_id]
    while todo:
        each = todo.pop()
        if each not in wanted:
            wanted.add(each)
            todo += needs[each]
    return wanted


def expect_every_check_passes(lab: LabFolder, session: Any, seed: int) -> GradeState:
    """The app in `session` passes every check; the grade is returned for its figures."""
    failures, grade = run_checks(lab, session, seed)
    assert failures == {}, f"failed: {failures}\napp log:\n{session.logs('app', 40)}"
    return grade


def expect_only_these_pass(lab: LabFolder, session: Any, seed: int, passing: list[str]) -> None:
    """Exactly the checks `passing` pass (a starter passes little more than its health check)."""
    failures, _ = run_checks(lab, session, seed)
    passed = [check.id for check in lab.checks if check.id not in failures]
    assert passed == passing, failures


def expect_caught(lab: LabFolder, mutant: Mutant, session: Any,
                  only: set[str] | None = None) -> None:
    """The mutant in `session` fails the check it names in caught_by (not blocked: it ran)."""
    failures, _ = run_checks(lab, session, seed=11, only=only)
    assert mutant.caught_by in failures, f"{mutant.name} passed {mutant.caught_by}"
    assert not failures[mutant.caught_by].startswith(NOT_RUN_NEEDS), (
        f"{mutant.name}: {mutant.caught_by} did not run: {failures[mutant.caught_by]}")


def expect_caught_alone(lab: LabFolder, mutant: Mutant, session: Any) -> None:
    """The mutant fails the check it names and no other on its own: every other check passes
    or is blocked by that one (one mistake, one failure), but those its also_fails lists."""
    failures, _ = run_checks(lab, session, seed=11)
    assert mutant.caught_by in failures, f"{mutant.name} passed {mutant.caught_by}"
    blocked = blocked_message(next(c.name for c in lab.checks if c.id == mutant.caught_by))
    others = {check_id: message for check_id, message in failures.items()
              if check_id not in (mutant.caught_by, *mutant.also_fails) and message != blocked}
    assert others == {}, f"{mutant.name} also failed on its own: {others}"
