"""Terminal output: a line per check as it finishes (live), then the score."""

from __future__ import annotations

import io

from rich.console import Console
from rich.status import Status as Spinner
from rich.text import Text

from labs.results import CheckResult, Event, GradeResult, Status, Verdict

MARKS = {Status.PASSED: ("✓", "green"), Status.FAILED: ("✗", "red"),
         Status.SKIPPED: ("-", "yellow"), Status.BLOCKED: ("○", "dim")}
VERDICT_NOTES = {
    Verdict.NOT_READY: "the service never became ready; see its log below",
    Verdict.CRASHED: "the service crashed during the grade",
    Verdict.MEMORY_LIMIT: "the service was killed for going over its memory limit",
    Verdict.TIME_LIMIT: "the grade reached its time limit",
    Verdict.INFRASTRUCTURE_ERROR: "the sandbox failed: not graded, try again",
    Verdict.REJECTED: "the submission was rejected before it ran",
}


def check_line(check: CheckResult) -> Text:
    mark, colour = MARKS[check.status]
    line = Text(f"{mark} ", style=colour)
    line.append(check.name, style="bold")
    line.append(f"  {check.points}/{check.max_points}", style="dim")
    if check.message:
        line.append(f"\n    {check.message}")
    if check.hint:
        line.append(f"\n    hint: {check.hint}", style="cyan")
    return line


def score_lines(result: GradeResult) -> Text:
    colour = "green" if result.full_marks else "red"
    text = Text(f"\nScore: {result.score}/{result.max_score}", style=f"bold {colour}")
    text.append(f"  ({result.lab_id}, seed {result.seed}, {result.duration_s:.1f}s)",
                style="dim")
    note = VERDICT_NOTES.get(result.verdict)
    if note:
        text.append(f"\n{note}", style="yellow")
    if result.log_tail and result.verdict in (Verdict.NOT_READY, Verdict.CRASHED,
                                                Verdict.MEMORY_LIMIT):
        text.append(f"\n--- last log lines ---\n{result.log_tail}", style="dim")
    return text


class LiveProgress:
    """An on_event handler printing each check the moment it finishes."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.spinner: Spinner | None = None

    def __call__(self, event: Event) -> None:
        if event.kind == "grade_started":
            self.console.print(Text(f"Grading {event.data['lab_id']} "
                                    f"({len(event.data['checks'])} checks, "
                                    f"seed {event.data['seed']})", style="bold"))
        elif event.kind == "check_started":
            self.stop_spinner()
            self.spinner = self.console.status(event.data["name"])
            self.spinner.start()
        elif event.kind == "check_finished":
            self.stop_spinner()
            self.console.print(check_line(CheckResult.from_dict(event.data["check"])))
        elif event.kind == "grade_finished":
            self.stop_spinner()
            self.console.print(score_lines(GradeResult.from_dict(event.data["result"])))

    def stop_spinner(self) -> None:
        if self.spinner is not None:
            self.spinner.stop()
            self.spinner = None


def render_text(result: GradeResult) -> str:
    console = Console(file=io.StringIO(), width=100, no_color=True, highlight=False)
    for check in result.checks:
        console.print(check_line(check))
    console.print(score_lines(result))
    return console.file.getvalue()
