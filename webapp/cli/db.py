"""`archlab db upgrade`: bring the web app's database schema up to date."""

from __future__ import annotations

import click

from webapp.migrate import current_revision, upgrade


def database_url() -> str:
    """The URL the site itself would use (DATABASE_URL or the instance SQLite file)."""
    from webapp import create_app

    return create_app().config["DATABASE_URL"]


@click.group()
def db() -> None:
    """The web app's database."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def upgrade_command(revision: str) -> None:
    """Apply the migrations in webapp/migrations/."""
    url = database_url()
    upgrade(url, revision)
    click.echo(f"database at revision {current_revision(url)}")
