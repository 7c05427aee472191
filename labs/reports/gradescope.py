"""results.json in the shape Gradescope's autograder harness reads."""

from __future__ import annotations

import json
from typing import Any

from labs.results import CheckResult, GradeResult, Status, Verdict


def render_gradescope(result: GradeResult) -> str:
    document: dict[str, Any] = {
        "score": result.score,
        "execution_time": round(result.duration_s),
        "output": _summary(result),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [_test(check) for check in result.checks],
        "extra_data": {"lab_id": result.lab_id, "seed": result.seed,
                       "verdict": result.verdict.value, "gradable": result.gradable},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _test(check: CheckResult) -> dict[str, Any]:
    output = "\n\n".join(part for part in (check.message, check.evidence,
                                           check.hint and f"Hint: {check.hint}") if part)
    return {"name": check.name, "score": check.points, "max_score": check.max_points,
            "status": "passed" if check.status is Status.PASSED else "failed",
            "output": output, "visibility": "visible"}


def _summary(result: GradeResult) -> str:
    lines = [f"{result.lab_id}: {result.score}/{result.max_score} points "
             f"(verdict: {result.verdict.value}, seed {result.seed})"]
    if result.cause:
        lines.append(f"The grade stopped: {result.cause}")
    if result.cause_line:
        lines.append(result.cause_line)
    if result.verdict is Verdict.INFRASTRUCTURE_ERROR:
        lines.append("The grader's sandbox failed; this attempt could not be graded.")
    return "\n".join(lines)
