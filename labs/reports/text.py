"""Terminal output: a line per check as it finishes (live), then the score.

A root cause is said once: what stopped the grade (with the decisive line of the app's log)
leads the report, and the checks it kept from running are listed on one line; a check blocked
by a failed check it needs is listed under that check, not repeated as a failure.
"""

from __future__ import annotations

import io
from dataclasses import replace

from rich.console import Console
from rich.status import Status as Spinner
from rich.text import Text

from labs.checks import NOT_RUN, not_run
from labs.results import CheckResult, Event, GradeResult, OutlineEntry, Status, Verdict, outline

MARKS = {Status.PASSED: ("✓", "green"), Status.FAILED: ("✗", "red"),
         Status.SKIPPED: ("-", "yellow"), Status.BLOCKED: ("○", "dim")}
VERDICT_NOTES = {
    Verdict.NOT_READY: "the service never became ready; see its log below",
    Verdict.CRASHED: "the service crashed during the grade",
    Verdict.MEMORY_LIMIT: "the service was killed for going over its memory limit",
    Verdict.TIME_LIMIT: "the grade reached its time limit",
    Verdict.INFRASTRUCTURE_ERROR: "the sandbox failed: not graded, try again",
    Verdict.REJECTED: "the submission was rejected before it ran",
    Verdict.BUILD_FAILED: "the image did not build; the build's output is below",
    Verdict.NOT_GRADABLE_HERE: "this sandbox cannot grade this lab: not graded, nothing counts",
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


def cause_lines(result: GradeResult) -> Text:
    """"✗ The grade stopped: <cause>" and the decisive log line ("○ Not graded: <cause>" when
    the grade does not count, as no failure of the learner's); empty without a cause."""
    if not result.cause:
        return Text()
    if result.gradable:
        text = Text("✗ ", style="red")
        text.append(f"The grade stopped: {result.cause}", style="bold")
    else:
        text = Text("○ ", style="yellow")
        text.append(f"Not graded: {result.cause}", style="bold")
    if result.cause_line:
        text.append(f"\n    {result.cause_line}", style="red")
    return text


def said_by_the_cause(check: CheckResult, result: GradeResult) -> bool:
    """`check` did not run only because of what stopped (or never started) the whole grade,
    which the cause line says once."""
    return bool(result.cause) and check.message == not_run(result.cause)


def not_run_line(entry: OutlineEntry[CheckResult], indent: str = "",
                 under_its_root: bool = False) -> Text:
    """One line for the checks `entry` kept from running: "○ not run because of this: ...";
    away from the failed check they needed (`under_its_root` False) it names that check."""
    points = sum(check.max_points for check in entry.not_run)
    if entry.check is None:
        why = "because the grade stopped"
    elif under_its_root:
        why = "because of this"
    else:
        why = f'because "{entry.check.name}" did not pass'
    line = Text(f"{indent}○ not run {why} ({points} points): ", style="dim")
    line.append(", ".join(check.name for check in entry.not_run))
    return line


def entry_lines(entry: OutlineEntry[CheckResult]) -> Text:
    """A check with, under it, the checks that needed it; or the grade's not-run line."""
    if entry.check is None:
        return not_run_line(entry)
    text = check_line(entry.check)
    if entry.not_run:
        text.append("\n")
        text.append(not_run_line(entry, indent="    ", under_its_root=True))
    return text


def with_the_cause_once(result: GradeResult) -> list[OutlineEntry[CheckResult]]:
    """The outline with the checks the cause kept from running in its last entry (not one
    line each repeating the cause)."""
    return outline([replace(check, status=Status.BLOCKED, blocked_by=None)
                    if said_by_the_cause(check, result) else check for check in result.checks])


def score_lines(result: GradeResult) -> Text:
    if result.gradable:
        colour = "green" if result.full_marks else "red"
        text = Text(f"\nScore: {result.score}/{result.max_score}", style=f"bold {colour}")
    else:  # no score: the attempt counts nowhere, so a 0 would be a false failure
        text = Text(f"\nNot graded: no score out of {result.max_score}", style="bold yellow")
    text.append(f"  ({result.lab_id}, seed {result.seed}, {result.duration_s:.1f}s)",
                style="dim")
    note = None if result.cause else VERDICT_NOTES.get(result.verdict)  # the cause said it
    if note:
        text.append(f"\n{note}", style="yellow")
    if result.log_tail and result.verdict in (Verdict.NOT_READY, Verdict.CRASHED,
                                                Verdict.MEMORY_LIMIT, Verdict.BUILD_FAILED):
        text.append(f"\n--- last log lines ---\n{result.log_tail}", style="dim")
    return text


class LiveProgress:
    """An on_event handler printing each check that ran the moment it finishes; the checks
    that did not run are listed with their cause when the grade ends."""

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
            check = CheckResult.from_dict(event.data["check"])
            if check.status is not Status.BLOCKED and not check.message.startswith(NOT_RUN):
                self.console.print(check_line(check))
        elif event.kind == "grade_finished":
            self.stop_spinner()
            result = GradeResult.from_dict(event.data["result"])
            if result.cause:
                self.console.print(cause_lines(result))
            for entry in with_the_cause_once(result):
                if entry.check is not None and entry.check.message.startswith(NOT_RUN):
                    self.console.print(check_line(entry.check))  # held back above
                if entry.not_run:
                    self.console.print(not_run_line(entry))
            self.console.print(score_lines(result))

    def stop_spinner(self) -> None:
        if self.spinner is not None:
            self.spinner.stop()
            self.spinner = None


def render_text(result: GradeResult) -> str:
    console = Console(file=io.StringIO(), width=100, no_color=True, highlight=False)
    if result.cause:
        console.print(cause_lines(result))
    for entry in with_the_cause_once(result):
        console.print(entry_lines(entry))
    console.print(score_lines(result))
    return console.file.getvalue()
