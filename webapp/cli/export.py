"""`archlab export gradescope LAB -o DIR|ZIP`: a lab as a bundle another grading platform runs."""

from __future__ import annotations

from pathlib import Path

import click

from labs.autograder.bundle import CannotExport, build_bundle
from webapp.cli.grade import load_lab_or_exit


@click.group()
def export() -> None:
    """Package a lab for another grading platform."""


@export.command()
@click.argument("lab")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="A new folder, or a .zip file to upload to Gradescope.")
def gradescope(lab: str, output: Path) -> None:
    """A Gradescope autograder bundle for LAB (setup.sh, run_autograder, the checks)."""
    spec = load_lab_or_exit(lab)
    try:
        written = build_bundle(spec, output)
    except CannotExport as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{spec.id}: Gradescope autograder bundle written to {written}")
