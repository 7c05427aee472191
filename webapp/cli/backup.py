"""`archlab backup FILE` and `archlab restore FILE`: the site's database, submissions and all,
to and from one file (SQLite or PostgreSQL, either way round)."""

from __future__ import annotations

from pathlib import Path

import click

from webapp.backup import BackupError, Manifest, backup, restore
from webapp.cli.db import database_url as site_database_url

url_option = click.option("--database-url", help="Default: the site's (DATABASE_URL or the "
                          "instance SQLite file).")


def _summary(manifest: Manifest) -> str:
    rows = sum(manifest.tables.values())
    return (f"{rows} rows in {len(manifest.tables)} tables "
            f"({manifest.tables.get('submissions', 0)} submissions), "
            f"schema revision {manifest.revision}")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@url_option
def backup_command(file: Path, database_url: str | None) -> None:
    """Write the whole database (users, progress, submissions with their files) to FILE."""
    url = database_url or site_database_url()
    try:
        manifest = backup(url, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backed up {_summary(manifest)} to {file}")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@url_option
def restore_command(file: Path, database_url: str | None) -> None:
    """Load FILE into a new, empty database, then migrate it to this version's schema."""
    url = database_url or site_database_url()
    try:
        manifest = restore(url, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restored {_summary(manifest)} from {file}")
