"""`archlab content`: check the chapters authors wrote, and scaffold new ones."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import click

from course import load_course
from course.scaffold import ScaffoldError, new_chapter

REPO = Path(__file__).resolve().parents[2]


def default_content_dir() -> Path:
    return Path(os.environ.get("CONTENT_DIR", "content"))


def known_lab_ids(labs_root: Path = REPO / "labs") -> set[str]:
    """Lab ids from the labs catalog; if labs.catalog is not importable, read lab.toml ids."""
    try:
        from labs.catalog import lab_ids
        from labs.spec import LabSpecError
    except ImportError:
        return {
            tomllib.loads(path.read_text(encoding="utf-8")).get("id", path.parent.name)
            for path in labs_root.glob("*/lab.toml")
        }
    try:
        return set(lab_ids())
    except LabSpecError as exc:  # a malformed lab.toml is named by file:line, not a traceback
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
    """Validate every chapter: front matter, links, images and quizzes."""
    course = load_course(content_dir, known_lab_ids())
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
    if lab and lab not in known_lab_ids():
        raise click.BadParameter(f"no lab with id {lab!r}", param_hint="--lab")
    try:
        path = new_chapter(content_dir, title, order=order, lab=lab)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {path}")
