"""`archlab labs list|verify`: what labs exist, and whether each one grades as intended."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table

from course import load_course
from course.labbox import LAB_BOX_ID
from course.lablinking import LabLinkError, add_lab_box, link_lab
from course.model import Chapter
from labs.catalog import (
    all_labs,
    alternative_dirs,
    default_root,
    get_lab,
    load_checks,
    mutants_dir,
)
from labs.scaffold import LabScaffoldError, new_lab
from labs.spec import Lab, LabSpecError
from labs.verify import MutantError, VerifyRow, verify
from labs.verify_findings import findings
from webapp.cli.content import content_dir_option
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
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Grade up to N subjects side by side, each in its own sandbox (at most "
                   "the machine's cores: timing checks need their CPU).")
@backend_option
def verify_labs(lab: str | None, repeat: int, jobs: int, backend: str) -> None:
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
                report = verify(target, sandbox, repeat=repeat, jobs=jobs,
                                on_row=lambda row: console.print(_progress(row),
                                                                soft_wrap=True))
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
        for finding in findings(report):
            console.print(f"[red]✗[/red] {escape(finding)}", soft_wrap=True)
        failed = failed or not report.ok
    sys.exit(1 if failed else 0)


@labs.command("new")
@click.argument("lab_id")
@click.option("--chapter", "chapter_slug", required=True,
              help="Slug of the chapter that introduces the lab; its front matter links it.")
@click.option("--title", help="The lab's title (default: from its id).")
@content_dir_option
def new(lab_id: str, chapter_slug: str, title: str | None, content_dir: Path) -> None:
    """Scaffold labs/<folder>/ for LAB_ID: a lab that verifies as generated, to edit into
    yours (docs/authoring.md), linked from the chapter."""
    chapter = load_course(content_dir).chapter(chapter_slug)
    if chapter is None:
        raise click.BadParameter(f"no chapter with slug {chapter_slug!r} in {content_dir}",
                                 param_hint="--chapter")
    try:
        folder = new_lab(lab_id, chapter_slug, default_root(), title=title)
        key = link_lab(chapter.path, lab_id)
        box = _add_box(chapter, lab_id, key) if key else None
    except (LabScaffoldError, LabLinkError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {folder}")
    if key:
        click.echo(f"linked it from {chapter.path} ({key}: {lab_id})")
    if box:
        click.echo(f"wrote its \"What you will build\" box at {chapter.path}:{box}: one row "
                   "naming the scaffold's checks; map your chapter's sections to your checks "
                   "there as you write them (archlab content check validates it)")
    elif key:
        click.echo(f"{chapter.path} has no '## ' section: before `archlab content check` "
                   f"passes, write its box, a {_fence(lab_id, key)} block mapping sections to "
                   "the lab's checks (docs/authoring.md, 1. Scaffold)")
    click.echo(f"next: archlab labs verify {lab_id} --backend process")


SCAFFOLD_BUILD = ("The scaffold's greeting service (archlab labs new): rewrite this row, and "
                  "add one per section, for what your lab grades")


def _fence(lab_id: str, key: str) -> str:
    return "```lab" if key == "lab" else f"```lab {lab_id}"


def _add_box(chapter: Chapter, lab_id: str, key: str) -> int | None:
    """The new lab's box before the chapter's first section, its one row naming that section
    and every check of the scaffold, so the chapter checks green at once."""
    sections = [entry.anchor for entry in chapter.toc
                if entry.level == 2 and not entry.anchor.startswith(LAB_BOX_ID)]
    if not sections:
        return None
    checks = [check.id for check in load_checks(get_lab(lab_id))]
    return add_lab_box(chapter.path, lab_id, sections[0], checks, SCAFFOLD_BUILD,
                       main=key == "lab")


def _progress(row: VerifyRow) -> str:
    mark = "[green]✓[/green]" if row.ok else "[red]✗[/red]"
    return f"{mark} {row.subject} (run {row.run}): {row.outcome}"
