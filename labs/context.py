"""What a check receives: clients to the sandboxed services, faults, logs, seeded randomness.

One CheckContext per check of a grade. Connections it opens are closed by `close()` when the
check ends; `state`, `metrics` and `charts` are shared by all checks of the grade; `submission`
is the grader's own snapshot of the submitted folder (files the learner hands in, read only).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from labs.evidence import body_excerpt, describe_exchange
from labs.failures import CheckFailed
from labs.http import GraderClient
from labs.wording import json_kind, json_value, quoted, same_json

T = TypeVar("T")
# An exchange still going at the check's end is cut this much earlier, so the check fails
# saying which request did not end, before the runner stops waiting for it.
EXCHANGE_MARGIN_S = 0.25


class _AnyValue:
    """expect_member's "any value will do" (named in signatures the docs show)."""

    def __repr__(self) -> str:
        return "ANY"


ANY = _AnyValue()

FAULT_OPERATIONS = frozenset({"stop", "kill", "start", "restart", "reconfigure", "pause",
                              "unpause", "add_latency", "cut", "heal"})
TAKES_DOWN = frozenset({"stop", "kill", "pause", "cut"})
BRINGS_UP = frozenset({"start", "restart", "reconfigure", "unpause", "heal"})


@dataclass
class GradeState:
    """What the checks of one grade share and hand back to the result."""

    seed: int
    state: dict[str, Any] = field(default_factory=dict)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)
    taken_down: set[str] = field(default_factory=set)


class Faults:
    """The session's fault operations, and a note of which services a check took down.

    The runner reads `taken_down` so a service a check stopped on purpose is not reported
    as a crash of the learner's code.
    """

    def __init__(self, session: Any, grade: GradeState) -> None:
        self._session = session
        self._grade = grade

    def __getattr__(self, operation: str) -> Callable[..., Any]:
        if operation not in FAULT_OPERATIONS:
            raise AttributeError(f"faults has no operation {operation!r}; available: "
                                 + ", ".join(sorted(FAULT_OPERATIONS)))
        method = getattr(self._session, operation)

        def apply(service: str, *args: Any, **kwargs: Any) -> Any:
            outcome = method(service, *args, **kwargs)
            if operation in TAKES_DOWN:
                self._grade.taken_down.add(service)
            elif operation in BRINGS_UP:
                self._grade.taken_down.discard(service)
            return outcome

        return apply


class CheckContext:
    """The API a check uses; see labs/README.md for a tour."""

    def __init__(self, session: Any, check_id: str, grade: GradeState, *,
                 http_timeout: float, deadline: float, submission: Path) -> None:
        self.session = session
        self.check_id = check_id
        self.submission = submission
        self.deadline = deadline
        self.http = GraderClient(session.url("app"), timeout=http_timeout,
                                 deadline=deadline - EXCHANGE_MARGIN_S)
        self.faults = Faults(session, grade)
        self.random = random.Random(f"{grade.seed}:{check_id}")
        self.state = grade.state
        self._grade = grade
        self._closers: list[Callable[[], Any]] = [self.http.close]

    def service_url(self, name: str) -> str:
        """The URL of service `name` as the grader reaches it (http://host:port)."""
        return self.session.url(name)

    def client(self, service: str = "app", timeout: float | None = None) -> GraderClient:
        """Another HTTP client to `service` (for requests side by side, from threads), with
        `ctx.http`'s body cap and deadlines; closed after the check. Never a bare httpx
        client to learner code: it would let an endless body hold the check."""
        client = GraderClient(self.session.url(service), timeout=timeout or self.http.timeout.read,
                              deadline=self.deadline - EXCHANGE_MARGIN_S)
        self._closers.append(client.close)
        return client

    def redis(self, name: str = "redis") -> Any:
        """A redis-py client to the lab's Redis service, from the grader's side."""
        import redis

        client = redis.Redis.from_url(self.session.url(name), socket_timeout=self.http.timeout.read)
        self._closers.append(client.close)
        return client

    def sql(self, name: str = "db") -> Any:
        """An autocommit psycopg connection to the lab's PostgreSQL service."""
        import psycopg

        conn = psycopg.connect(self.session.url(name), autocommit=True,
                               connect_timeout=max(1, int(self.http.timeout.connect or 5)))
        self._closers.append(conn.close)
        return conn

    def logs(self, service: str = "app", lines: int = 50) -> str:
        """The last `lines` lines of a service's log (never judge by them: judge behaviour)."""
        return self.session.logs(service, lines=lines)

    def metric(self, name: str, value: float, unit: str | None = None) -> None:
        """A number the result page shows under this check's title ("p99 latency", 42, "ms")."""
        self._grade.metrics.append({"name": name, "value": value, "unit": unit,
                                    "check": self.check_id})

    def chart(self, name: str, kind: str, data: Any) -> None:
        """A chart the result page draws, captioned `name` (webapp/grading/charts.py)."""
        self._grade.charts.append({"name": name, "kind": kind, "data": data,
                                   "check": self.check_id})

    def expect(self, condition: Any, message: str, evidence: Any = None) -> None:
        """Fail with `message` ("expected X, got Y") and `evidence` unless `condition`."""
        if not condition:
            raise CheckFailed(message, evidence)

    def expect_status(self, response: httpx.Response, code: int | Collection[int]) -> None:
        """Fail with "expected 201, got 200" and the body unless the status is `code`."""
        wanted = {code} if isinstance(code, int) else set(code)
        if response.status_code not in wanted:
            expected = " or ".join(str(c) for c in sorted(wanted))
            raise CheckFailed(f"expected {expected}, got {response.status_code} from "
                              f"{response.request.method} {response.request.url.path}: "
                              f"{body_excerpt(response.content, 200)}", response)

    def expect_json(self, response: httpx.Response) -> Any:
        """The parsed JSON body, or a failure saying what came instead."""
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            kind = response.headers.get("content-type", "no content type")
            raise CheckFailed(f"expected a JSON body from {response.request.method} "
                              f"{response.request.url.path}, got {kind}: "
                              f"{body_excerpt(response.content, 200)}", response) from None

    def expect_member(self, document: Any, name: str, value: Any = ANY,
                      evidence: Any = None) -> Any:
        """`document[name]`, failing with "expected JSON member "code", got none" when the
        object lacks it (or is no object), and with "expected "success": true, got "success":
        null" when `value` is given and differs."""
        if not isinstance(document, dict):
            raise CheckFailed(f"expected a JSON object with member {quoted(name)}, got "
                              f"{json_kind(document)}: {json_value(document)}", evidence)
        wanted = f"{quoted(name)}: {json_value(value)}" if value is not ANY else (
            f"JSON member {quoted(name)}")
        if name not in document:
            raise CheckFailed(f"expected {wanted}, got none", evidence)
        if value is not ANY and not same_json(document[name], value):
            raise CheckFailed(f"expected {wanted}, got {quoted(name)}: "
                              f"{json_value(document[name])}", evidence)
        return document[name]

    def expect_equal(self, actual: Any, expected: Any, what: str, evidence: Any = None) -> None:
        """Fail with "expected <what> 3, got null" (values as JSON) unless they are equal as
        JSON values (true is not 1)."""
        if not same_json(actual, expected):
            raise CheckFailed(f"expected {what} {json_value(expected)}, got "
                              f"{json_value(actual)}", evidence)

    def eventually(self, probe: Callable[[], T], timeout: float = 5.0,
                   interval: float = 0.1) -> T:
        """Call `probe` until it stops raising CheckFailed; re-raise its last failure."""
        give_up = min(time.monotonic() + timeout, self.deadline)
        while True:
            try:
                return probe()
            except CheckFailed:
                if time.monotonic() + interval >= give_up:
                    raise
            time.sleep(interval)

    def last_exchange(self) -> str | None:
        """The last request/response of this check, the default evidence of a failure."""
        return describe_exchange(self.http.exchanges[-1]) if self.http.exchanges else None

    def close(self) -> None:
        """Close what the check opened (the runner calls it when the check ends)."""
        for close in reversed(self._closers):
            try:
                close()
            except Exception:  # noqa: S112 - a client that fails to close must not fail a grade
                continue
