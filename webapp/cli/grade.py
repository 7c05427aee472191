"""`archlab grade LAB DIR`: the website's grader from the command line, for learners and CI.

Exit status: 0 on full marks (or a score of at least --min-score), 1 otherwise, 2 when the
sandbox failed and nothing could be graded, 128 + the signal's number when SIGTERM or SIGINT
stopped it (after tearing its sandbox down).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console

from labs.catalog import UnknownLab, load_checks, resolve_lab
from labs.reports import FORMATS
from labs.reports.text import LiveProgress
from labs.results import GradeResult
from labs.runner import grade as run_grade
from labs.spec import Lab, LabSpecError
from sandboxes import get_backend

BACKENDS = ("auto", "docker", "process")
EXIT_INFRASTRUCTURE = 2
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

backend_option = click.option(
    "--backend", type=click.Choice(BACKENDS), default=lambda: os.environ.get(
        "ARCHLAB_SANDBOX", "auto"), show_default="ARCHLAB_SANDBOX or auto",
    help="Where submissions run.")


def backend_named(name: str) -> object:
    """The sandbox backend for --backend (one place, so tests can substitute a fake)."""
    return get_backend(name)


def load_lab_or_exit(name: str) -> Lab:
    try:
        return resolve_lab(name)
    except (UnknownLab, LabSpecError) as exc:
        raise click.ClickException(str(exc)) from exc


class Stopped(BaseException):
    """SIGTERM or SIGINT arrived. A BaseException, so no `except Exception` on the way takes
    it for a failure: it unwinds the grade through its `with` teardown of the sandbox."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def stopped_cleanly(command: str) -> Iterator[None]:
    """Run the block so that SIGTERM or SIGINT ends it through its teardown (the sandbox is
    removed, not orphaned), then exits with 128 + the signal's number. A second signal while
    tearing down is ignored: the teardown is what makes the exit clean."""

    def stop(signum: int, frame: object) -> None:
        for each in STOP_SIGNALS:
            signal.signal(each, signal.SIG_IGN)
        raise Stopped(signum)

    if threading.current_thread() is not threading.main_thread():  # only it gets signals
        yield
        return
    previous = {each: signal.signal(each, stop) for each in STOP_SIGNALS}
    try:
        yield
    except Stopped as stopped:
        click.echo(f"archlab {command}: stopped by {stopped}; its sandbox was torn down",
                   err=True)
        sys.exit(128 + stopped.signum)
    finally:
        for each, handler in previous.items():
            signal.signal(each, handler)


def parse_report(value: str) -> tuple[str, Path]:
    """--report's FORMAT=FILE."""
    each_format, _, path = value.partition("=")
    if each_format not in FORMATS or not path:
        raise click.BadParameter(f"expected FORMAT=FILE with FORMAT one of "
                                 f"{', '.join(FORMATS)}, got {value!r}")
    return each_format, Path(path)


def exit_code(result: GradeResult, min_score: float | None) -> int:
    if not result.gradable:
        return EXIT_INFRASTRUCTURE
    if result.full_marks or (min_score is not None and result.score >= min_score):
        return 0
    return 1


@click.command()
@click.argument("lab")
@click.argument("directory", type=click.Path(path_type=Path))
@backend_option
@click.option("--format", "output_format", type=click.Choice(list(FORMATS)), default="text",
              show_default=True)
@click.option("--seed", type=int, help="Reproduce a grade: same seed, same test data.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file instead of standard output.")
@click.option("--report", "reports", multiple=True, callback=lambda ctx, param, value:
              [parse_report(each) for each in value], metavar="FORMAT=FILE",
              help="Also write the report in FORMAT to FILE (repeatable), e.g. "
                   "--report junit=out/junit.xml --report markdown=out/summary.md.")
@click.option("--min-score", type=float, help="Pass (exit 0) from this many points on.")
def grade(lab: str, directory: Path, backend: str, output_format: str, seed: int | None,
          output: Path | None, reports: list[tuple[str, Path]],
          min_score: float | None) -> None:
    """Grade the submission in DIRECTORY against LAB (an id or a lab folder)."""
    spec = load_lab_or_exit(lab)
    try:
        checks = load_checks(spec)
    except LabSpecError as exc:
        raise click.ClickException(str(exc)) from exc
    live = output_format == "text" and output is None
    on_event = LiveProgress(Console(highlight=False)) if live else None
    with stopped_cleanly("grade"):
        result = run_grade(spec, directory, backend=backend_named(backend), seed=seed,
                           on_event=on_event, checks=checks)
    if not live:
        report = FORMATS[output_format](result)
        if output is None:
            click.echo(report, nl=False)
        else:
            output.write_text(report, encoding="utf-8")
            click.echo(f"{result.score}/{result.max_score} ({result.verdict.value}): "
                       f"report written to {output}", err=True)
    for each_format, path in reports:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(FORMATS[each_format](result), encoding="utf-8")
    sys.exit(exit_code(result, min_score))
