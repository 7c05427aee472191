"""The result of a grade: one schema for the runner, the web app, the reports and CI.

Statuses and verdicts are `str` enums so a result serialises to plain JSON and back. A
`blocked` check did not run: either a check it needs did not pass (`blocked_by` names the
root of that chain, the check that actually failed) or the grade itself stopped (the app
never became ready, crashed, ran out of time: `blocked_by` is None and the grade's `cause`
says why, with `cause_line`, the decisive line of the app's log). Either way a report says
the cause once and lists what it stopped (`outline`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from operator import attrgetter
from typing import Any, Generic, Protocol, TypeVar


class _Outlinable(Protocol):
    @property
    def status(self) -> str: ...

    @property
    def blocked_by(self) -> str | None: ...


T = TypeVar("T", bound=_Outlinable)


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    BLOCKED = "blocked"


class Verdict(StrEnum):
    GRADED = "graded"
    NOT_READY = "not_ready"
    CRASHED = "crashed"
    TIME_LIMIT = "time_limit"
    MEMORY_LIMIT = "memory_limit"
    INFRASTRUCTURE_ERROR = "infrastructure_error"
    REJECTED = "rejected"
    BUILD_FAILED = "build_failed"              # the submission's image did not build
    NOT_GRADABLE_HERE = "not_gradable_here"    # this backend lacks what the lab requires


@dataclass
class CheckResult:
    id: str
    name: str
    status: Status
    points: int
    max_points: int
    message: str = ""
    evidence: str | None = None
    hint: str = ""
    duration_s: float = 0.0
    blocked_by: str | None = None

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status.value}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        return cls(**{**_known(cls, data), "status": Status(data["status"])})


@dataclass
class GradeTimings:
    """Where a grade's wall time went, in seconds: starting the sandbox (containers or
    processes, without waiting), waiting for its services to answer, running the checks,
    and tearing it down. Zero for a step the grade never reached."""

    sandbox_start_s: float = 0.0
    service_ready_s: float = 0.0
    checks_s: float = 0.0
    teardown_s: float = 0.0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradeTimings:
        return cls(**_known(cls, data))


@dataclass
class GradeResult:
    lab_id: str
    submission_id: str
    seed: int
    gradable: bool
    verdict: Verdict
    score: int
    max_score: int
    checks: list[CheckResult]
    started_at: str
    duration_s: float
    log_tail: str = ""
    metrics: list[dict[str, Any]] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)
    cause: str = ""        # why the grade stopped before running every check, said once
    cause_line: str = ""   # the decisive line of the app's log ("SyntaxError: ... at app.py:3")
    timings: GradeTimings = field(default_factory=GradeTimings)

    @property
    def full_marks(self) -> bool:
        return self.gradable and self.score == self.max_score

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["verdict"] = self.verdict.value
        data["checks"] = [check.to_dict() for check in self.checks]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradeResult:
        return cls(**{**_known(cls, data), "verdict": Verdict(data["verdict"]),
                      "checks": [CheckResult.from_dict(c) for c in data["checks"]],
                      "timings": GradeTimings.from_dict(data.get("timings") or {})})

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> GradeResult:
        return cls.from_dict(json.loads(text))


@dataclass(frozen=True)
class Event:
    """A step of a grade as it happens; `data` is JSON-ready so it can cross a queue."""

    kind: str  # grade_started | check_started | check_finished | grade_finished
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "data": self.data}


@dataclass
class OutlineEntry(Generic[T]):
    """A check that ran (None: the grade's own cause) and the checks not run because of it."""

    check: T | None
    not_run: list[T] = field(default_factory=list)


def outline(checks: Sequence[T], id_of: Callable[[T], str] = attrgetter("id"),
            ) -> list[OutlineEntry[T]]:
    """The checks as a learner should read them: each check that ran, followed by the checks
    blocked by it; the checks the grade's cause stopped together in a last entry.

    Works on anything with `status` and `blocked_by` (CheckResult, the web app's rows).
    """
    entries: list[OutlineEntry[T]] = []
    by_id: dict[str, OutlineEntry[T]] = {}
    stopped: OutlineEntry[T] = OutlineEntry(None)
    for check in checks:
        if check.status != Status.BLOCKED:
            entries.append(OutlineEntry(check))
            by_id[id_of(check)] = entries[-1]
        else:
            by_id.get(check.blocked_by or "", stopped).not_run.append(check)
    return entries + ([stopped] if stopped.not_run else [])


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """The entries of `data` that are fields of `cls` (newer writers may add fields)."""
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in data.items() if key in names}
