"""What each check heard back from the app, for `archlab labs verify` to compare subjects.

A mutant that no check catches was still seen by some check when that check got other
answers from the mutant than from the solution (same seed, so the same requests): that check
is the closest one to catching it, and the author should sharpen it. An answer is described
by what a check could assert on without the noise of ids and timestamps: method, path (with
segments holding digits generalised), status and the JSON body with its strings, booleans
and nulls but numbers, ids and times only by their kind.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import httpx

from labs.checks import CheckContext, CheckFunction, Checks

DIGITS = re.compile(r"\d")
# Strings that differ from run to run by nature: ids, tokens, times.
VOLATILE = re.compile(r"[0-9a-fA-F]{8}|\d{4}-\d{2}-\d{2}|\d{2}:\d{2}")
STRING_CHARS = 40


def describe_answer(response: httpx.Response) -> str:
    """`POST /items/{} 201 {"id": number, "name": "ada"}`: one answer, less its noise."""
    path = "/".join("{}" if DIGITS.search(part) else part
                    for part in response.request.url.path.split("/"))
    return f"{response.request.method} {path} {response.status_code} {_body_shape(response)}"


def _body_shape(response: httpx.Response) -> str:
    try:
        document = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return "(no JSON)" if response.content else "(empty)"
    return _shape(document)


def _shape(value: Any) -> str:
    if isinstance(value, dict):
        members = ", ".join(f"{json.dumps(str(k))}: {_shape(v)}" for k, v in sorted(value.items()))
        return f"{{{members}}}"
    if isinstance(value, list):
        kinds = sorted({_shape(item) for item in value})
        return f"[{len(value)} x {' | '.join(kinds)}]" if value else "[]"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return "number"
    text = str(value)
    return "string" if VOLATILE.search(text) else json.dumps(text[:STRING_CHARS])


class AnswerLog:
    """Checks wrapped so each records the answers it got: `heard[check_id]` for the grade
    in progress (`start()` begins a new grade's log)."""

    def __init__(self, checks: Checks) -> None:
        self.heard: dict[str, tuple[str, ...]] = {}
        self.checks = Checks()
        for check in checks:
            self.checks.check(check.name, check.points, check.hint,
                              needs=check.needs)(self._observed(check.function))

    def start(self) -> dict[str, tuple[str, ...]]:
        self.heard = {}
        return self.heard

    def _observed(self, function: CheckFunction) -> CheckFunction:
        @functools.wraps(function)
        def observed(ctx: CheckContext) -> None:
            heard = self.heard  # this grade's log, even if the check outlives its timeout
            try:
                function(ctx)
            finally:
                heard[ctx.check_id] = tuple(describe_answer(r) for r in ctx.http.exchanges)

        return observed
