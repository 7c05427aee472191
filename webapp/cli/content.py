"""`archlab content`: check the chapters authors wrote, and scaffold new ones."""

from __future__ import annotations

import os
from pathlib import Path

import click

from course import load_course
from course.scaffold import ScaffoldError, new_chapter
from labs.catalog import check_titles
from labs.spec import LabSpecError


def default_content_dir() -> Path:
    return Path(os.environ.get("CONTENT_DIR", "content"))


def known_labs() -> dict[str, dict[str, str]]:
    """Lab id -> {check id: check title} from the labs catalog, as load_course takes it."""
    try:
        return check_titles()
    except LabSpecError as exc:  # a malformed lab.toml or checks.py is named by file:line
        raise click.ClickException(str(exc)) from exc


content_dir_option = click.option(
    "--content-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=default_content_dir,
    show_default="$CONTENT_DIR or content/",
    help="Directory holding the NN-slug.md chapter files.",
)


@click.group()
def content() -> None:
    """Check and scaffold course chapters."""


@content.command()
@content_dir_option
def check(content_dir: Path) -> None:
    """Validate every chapter: front matter, links, images, quizzes and lab boxes."""
    course = load_course(content_dir, known_labs())
    for problem in course.problems:
        click.echo(str(problem))
    chapters = f"{len(course.chapters)} chapter{'s' if len(course.chapters) != 1 else ''}"
    if course.problems:
        click.echo(f"{len(course.problems)} problem(s) in {content_dir} ({chapters} loaded)")
        raise SystemExit(1)
    click.echo(f"{chapters} in {content_dir}: no problems")


@content.command()
@click.argument("title")
@click.option("--order", type=int, help="Position in the course (default: the next free one).")
@click.option("--lab", "lab", help="Id of the lab this chapter links to.")
@content_dir_option
def new(title: str, order: int | None, lab: str | None, content_dir: Path) -> None:
    """Create content/NN-slug.md for TITLE with front matter and a section skeleton."""
    if lab and lab not in known_labs():
        raise click.BadParameter(f"no lab with id {lab!r}", param_hint="--lab")
    try:
        path = new_chapter(content_dir, title, order=order, lab=lab)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {path}")
