"""A Markdown summary of a grade, for a CI job's page (GitHub's $GITHUB_STEP_SUMMARY, a merge
request note): the score, what stopped the grade, and one table row per check in the order
the text report reads (a blocked check under the check it needed)."""

from __future__ import annotations

from labs.reports.text import MARKS, VERDICT_NOTES
from labs.results import CheckResult, GradeResult, outline


def _cell(text: str | None) -> str:
    """Table-safe: one line, pipes escaped."""
    return " ".join((text or "").split()).replace("|", "\\|")


def _row(check: CheckResult, indent: str = "") -> str:
    mark = MARKS[check.status][0]
    return (f"| {mark} | {indent}{_cell(check.name)} | {check.points}/{check.max_points} "
            f"| {_cell(check.message)} |")


def render_markdown(result: GradeResult) -> str:
    lines = [f"### {result.lab_id}: {result.score}/{result.max_score} points", ""]
    note = VERDICT_NOTES.get(result.verdict)
    lines.append(f"Verdict: **{result.verdict.value}**" + (f" ({note})" if note else "")
                 + f", seed {result.seed}.")
    if result.cause:
        lines += ["", f"**The grade stopped:** {_cell(result.cause)}"]
        if result.cause_line:
            lines.append(f"`{result.cause_line.replace('`', '')}`")
    lines += ["", "| | Check | Points | Message |", "|---|---|---|---|"]
    for entry in outline(result.checks):
        if entry.check is not None:
            lines.append(_row(entry.check))
        lines += [_row(check, "↳ ") for check in entry.not_run]
    return "\n".join(lines) + "\n"
