"""Creating and finding accounts: shared by the register page and `archlab users`."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.models import LEARNER, ROLES, User


class AccountError(ValueError):
    """The account cannot be created as asked (e.g. the email is taken)."""


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(
    session: Session, email: str, display_name: str, password: str, role: str = LEARNER
) -> User:
    """Add and commit a user; a taken email raises AccountError (the unique index decides)."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
    email = email.strip().lower()
    user = User(email=email, display_name=display_name.strip() or email, role=role)
    user.set_password(password)
    session.add(user)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise AccountError(f"an account with the email {email} already exists") from exc
    return user
