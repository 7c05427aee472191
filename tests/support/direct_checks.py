"""Run a lab's checks straight against local processes, with no sandbox and no runner.

This proves a lab's checks and its reference agree before any engine runs them. Each check
gets the lab's own check_timeout; a check that raises anything but CheckFailed counts as
failed with the exception named, as the runner's explain step would fail it.
"""

from __future__ import annotations

import time
from typing import Any

from labs.checks import CheckFailed
from labs.context import CheckContext, GradeState
from tests.support.lab_folder import LabFolder


def run_checks(lab: LabFolder, session: Any, seed: int, only: set[str] | None = None,
               ) -> tuple[dict[str, str], GradeState]:
    """Run the checks in order (or those in `only`); failed check ids -> messages."""
    grade, failures = GradeState(seed=seed), {}
    for check in lab.checks:
        if only is not None and check.id not in only:
            continue
        ctx = CheckContext(session, check.id, grade, http_timeout=10,
                           deadline=time.monotonic() + lab.spec.grading.check_timeout)
        try:
            check.function(ctx)
        except CheckFailed as failure:
            failures[check.id] = failure.message
        except Exception as error:
            failures[check.id] = f"{type(error).__name__}: {error}"
        finally:
            ctx.close()
    return failures, grade
