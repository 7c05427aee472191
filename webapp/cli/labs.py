"""`archlab labs list|verify`: what labs exist, and whether each one grades as intended."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table

from labs.catalog import all_labs, alternative_dirs, load_checks, mutants_dir
from labs.spec import Lab, LabSpecError
from labs.verify import MutantError, VerifyRow, verify
from webapp.cli.grade import backend_named, backend_option, load_lab_or_exit, stopped_cleanly


@click.group()
def labs() -> None:
    """List and verify the course's labs."""


@labs.command("list")
def list_labs() -> None:
    """Every lab with its chapter, checks, points, mutants and alternative solutions."""
    # ids are typed on the command line: they never wrap, the title does
    table = Table(Column("id", no_wrap=True), "title", Column("chapter", no_wrap=True),
                  "graded by")
    try:
        for lab in all_labs():
            checks = load_checks(lab)
            mutants = len(list(mutants_dir(lab).glob("*.toml")))
            table.add_row(lab.id, lab.title, lab.chapter,
                          f"{len(checks)} checks, {checks.max_score} points; {mutants} "
                          f"mutants, {len(alternative_dirs(lab))} alternatives")
    except LabSpecError as exc:
        raise click.ClickException(str(exc)) from exc
    Console(highlight=False).print(table)


@labs.command("verify")
@click.argument("lab", required=False)
@click.option("--repeat", type=click.IntRange(min=1), default=1, show_default=True,
              help="Grade everything N times to catch flaky checks.")
@backend_option
def verify_labs(lab: str | None, repeat: int, backend: str) -> None:
    """Solution and alternatives get full marks, starter does not, every mutant is caught
    (all labs by default)."""
    console = Console(highlight=False)
    try:
        targets: list[Lab] = [load_lab_or_exit(lab)] if lab else all_labs()
    except LabSpecError as exc:
        raise click.ClickException(str(exc)) from exc
    sandbox = backend_named(backend)
    failed = False
    for target in targets:
        table = Table("subject", "run", "expected", "outcome", "ok", title=target.id)
        try:
            with stopped_cleanly("labs verify"):
                report = verify(target, sandbox, repeat=repeat,
                                on_row=lambda row: console.print(_progress(row)))
        except (LabSpecError, MutantError) as exc:
            console.print(f"[red]✗ {target.id}: {escape(str(exc))}[/red]", soft_wrap=True)
            failed = True
            continue
        if report.not_gradable:
            name = getattr(sandbox, "name", "this")
            console.print(f"[yellow]- {target.id}: not gradable on the {name} sandbox: it "
                          f"needs {escape(report.not_gradable)}[/yellow]", soft_wrap=True)
            continue
        for row in report.rows:
            table.add_row(row.subject, str(row.run), row.expected, row.outcome,
                          "[green]✓[/green]" if row.ok else "[red]✗[/red]")
        console.print(table)
        failed = failed or not report.ok
    sys.exit(1 if failed else 0)


def _progress(row: VerifyRow) -> str:
    mark = "[green]✓[/green]" if row.ok else "[red]✗[/red]"
    return f"{mark} {row.subject} (run {row.run}): {row.outcome}"
