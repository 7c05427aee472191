"""The checks API a lab's checks.py is written against: an ordered registry of checks.

A check is a plain function taking a `CheckContext`; it passes by returning and fails by
raising `CheckFailed` (usually through `ctx.expect*`). Its id is the function's name, which
mutants name in `caught_by`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from labs.context import CheckContext
from labs.failures import CheckFailed

__all__ = ["Check", "CheckContext", "CheckFailed", "Checks"]

CheckFunction = Callable[[CheckContext], None]


@dataclass(frozen=True)
class Check:
    id: str
    name: str
    points: int
    hint: str
    function: CheckFunction


class Checks:
    """The ordered checks of one lab, registered with `@checks.check(...)`."""

    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}

    def check(self, name: str, points: int, hint: str = "") -> Callable[[CheckFunction],
                                                                          CheckFunction]:
        """Register the decorated function as the next check; ids must be unique."""
        if isinstance(points, bool) or not isinstance(points, int) or points < 0:
            raise ValueError(f"check {name!r}: points must be a non-negative int, got {points!r}")

        def register(function: CheckFunction) -> CheckFunction:
            check_id = function.__name__
            if check_id in self._checks:
                raise ValueError(f"duplicate check id {check_id!r}: each check function "
                                 f"needs its own name")
            self._checks[check_id] = Check(check_id, name, points, hint, function)
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
