"""`archlab users create|list|reset-password|promote`: accounts from the terminal (the first
instructor or admin starts here, and an operator helps whoever forgot a password)."""

from __future__ import annotations

import click
from sqlalchemy import select

from webapp.auth import logins
from webapp.auth.accounts import AccountError, create_user, find_by_email
from webapp.auth.forms import MIN_PASSWORD
from webapp.models import ADMIN, INSTRUCTOR, LEARNER, User

PASSWORD_OPTION = click.option("--password", prompt=True, hide_input=True,
                               confirmation_prompt=True, help="Prompted for when omitted.")


@click.group()
def users() -> None:
    """Site accounts."""


@users.command("create")
@click.argument("email")
@click.option("--name", help="Display name (default: the email).")
@PASSWORD_OPTION
@click.option("--instructor", is_flag=True, help="Give the account the instructor role.")
@click.option("--admin", is_flag=True,
              help="Give the account the admin role: an instructor of every class.")
def create(email: str, name: str | None, password: str, instructor: bool, admin: bool) -> None:
    """Create an account."""
    _check_rule(password)
    role = ADMIN if admin else INSTRUCTOR if instructor else LEARNER
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


@users.command("reset-password")
@click.argument("email")
@PASSWORD_OPTION
def reset_password(email: str, password: str) -> None:
    """Set an account's password and log it out of every browser."""
    _check_rule(password)
    with site_session() as session:
        user = _existing(session, email)
        user.set_password(password)
        session.commit()
        ended = logins.end_all(session, user)
        click.echo(f"password of {user.email} set; {ended} login(s) ended")


@users.command("promote")
@click.argument("email")
@click.option("--admin", is_flag=True,
              help="The admin role (every class) instead of the instructor role (the classes "
                   "the account creates or is added to).")
def promote(email: str, admin: bool) -> None:
    """Give an account the instructor role (or, with --admin, the admin role)."""
    role = ADMIN if admin else INSTRUCTOR
    with site_session() as session:
        user = _existing(session, email)
        if user.role == role:
            click.echo(f"{user.email} is already an {role}")
            return
        user.role = role
        session.commit()
        click.echo(f"{user.email} is now an {role}")


def _check_rule(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise click.BadParameter(f"use at least {MIN_PASSWORD} characters", param_hint="password")


def _existing(session, email: str) -> User:  # type: ignore[no-untyped-def]
    user = find_by_email(session, email)
    if user is None:
        raise click.ClickException(f"no account with the email {email.strip().lower()}")
    return user


def site_session():  # type: ignore[no-untyped-def]
    """A session on the migrated site database."""
    from webapp import create_app
    from webapp.db import EXTENSION
    from webapp.migrate import upgrade

    app = create_app()
    upgrade(app.config["DATABASE_URL"])
    return app.extensions[EXTENSION]()
