"""`archlab users create|list`: accounts from the terminal (the first instructor starts here)."""

from __future__ import annotations

import click
from sqlalchemy import select

from webapp.auth.accounts import AccountError, create_user
from webapp.auth.forms import MIN_PASSWORD
from webapp.models import INSTRUCTOR, LEARNER, User


@click.group()
def users() -> None:
    """Site accounts."""


@users.command("create")
@click.argument("email")
@click.option("--name", help="Display name (default: the email).")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when omitted.",
)
@click.option("--instructor", is_flag=True, help="Give the account the instructor role.")
def create(email: str, name: str | None, password: str, instructor: bool) -> None:
    """Create an account."""
    if len(password) < MIN_PASSWORD:
        raise click.BadParameter(f"use at least {MIN_PASSWORD} characters", param_hint="password")
    role = INSTRUCTOR if instructor else LEARNER
    with site_session() as session:
        try:
            user = create_user(session, email, name or email, password, role)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"created {user.role} {user.email} (id {user.id})")


@users.command("list")
def list_users() -> None:
    """List accounts, oldest first."""
    with site_session() as session:
        for user in session.scalars(select(User).order_by(User.id)):
            click.echo(f"{user.id:>5}  {user.role:<10}  {user.email}  {user.display_name}")


def site_session():  # type: ignore[no-untyped-def]
    """A session on the migrated site database."""
    from webapp import create_app
    from webapp.db import EXTENSION
    from webapp.migrate import upgrade

    app = create_app()
    upgrade(app.config["DATABASE_URL"])
    return app.extensions[EXTENSION]()
