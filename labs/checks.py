"""The checks API a lab's checks.py is written against: an ordered registry of checks.

A check is a plain function taking a `CheckContext`; it passes by returning and fails by
raising `CheckFailed` (usually through `ctx.expect*`). Its id is the function's name, which
mutants name in `caught_by`. A check may need earlier checks (`needs=`): when one of them did
not pass, it is not run but reported as blocked by that root cause, so one mistake costs one
failure, not a cascade of identical ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from labs.context import CheckContext
from labs.failures import CheckFailed

__all__ = [
    "NOT_RUN",
    "NOT_RUN_NEEDS",
    "Check",
    "CheckContext",
    "CheckFailed",
    "Checks",
    "blocked_message",
    "not_run",
    "root_blocker",
]

CheckFunction = Callable[[CheckContext], None]


@dataclass(frozen=True)
class Check:
    id: str
    name: str
    points: int
    hint: str
    function: CheckFunction
    needs: tuple[str, ...] = ()


class Checks:
    """The ordered checks of one lab, registered with `@checks.check(...)`."""

    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}

    def check(self, name: str, points: int, hint: str = "",
              needs: Iterable[str] = ()) -> Callable[[CheckFunction], CheckFunction]:
        """Register the decorated function as the next check; ids must be unique, and the
        ids it `needs` must be checks registered before it."""
        if isinstance(points, bool) or not isinstance(points, int) or points < 0:
            raise ValueError(f"check {name!r}: points must be a non-negative int, got {points!r}")
        needed = (needs,) if isinstance(needs, str) else tuple(needs)

        def register(function: CheckFunction) -> CheckFunction:
            check_id = function.__name__
            if check_id in self._checks:
                raise ValueError(f"duplicate check id {check_id!r}: each check function "
                                 f"needs its own name")
            for need in needed:
                if need not in self._checks:
                    raise ValueError(
                        f"check {check_id!r} needs {need!r}, which is not a check registered "
                        f"before it (registered: {', '.join(self._checks) or 'none'})")
            self._checks[check_id] = Check(check_id, name, points, hint, function, needed)
            return function

        return register

    def __iter__(self) -> Iterator[Check]:
        return iter(self._checks.values())

    def __len__(self) -> int:
        return len(self._checks)

    def __contains__(self, check_id: object) -> bool:
        return check_id in self._checks

    def ids(self) -> list[str]:
        return list(self._checks)

    @property
    def max_score(self) -> int:
        return sum(check.points for check in self._checks.values())


def root_blocker(check: Check, not_passed: Mapping[str, str | None]) -> str | None:
    """The id of the root check that keeps `check` from running, or None when it may run.

    `not_passed` maps each earlier check that did not pass to the root that blocked it (None
    when it failed on its own); the first need found there decides, traced to its root.
    """
    for need in check.needs:
        if need in not_passed:
            return not_passed[need] or need
    return None


NOT_RUN = "not run: "
NOT_RUN_NEEDS = f"{NOT_RUN}needs"


def not_run(cause: str) -> str:
    """The message of a check kept from running by `cause` (reports find them by it)."""
    return f"{NOT_RUN}{cause}"


def blocked_message(root_name: str) -> str:
    return not_run(f'needs "{root_name}", which did not pass')
