"""Creating and finding accounts: shared by the register page and `archlab users`."""

from __future__ import annotations

import functools
import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.models import LEARNER, ROLES, User


class AccountError(ValueError):
    """The account cannot be created as asked (e.g. the email is taken)."""


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


@functools.cache
def _decoy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user with this email and password, or None.

    An unknown email costs one password hash too, so the answer's timing does not tell an
    attacker which emails have accounts.
    """
    user = find_by_email(session, email)
    if user is None:
        check_password_hash(_decoy_hash(), password)
        return None
    return user if user.check_password(password) else None


def new_user(email: str, display_name: str, password: str, role: str = LEARNER) -> User:
    """A user row not yet added (for callers that add many in one transaction)."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
    email = email.strip().lower()
    user = User(email=email, display_name=display_name.strip() or email, role=role)
    user.set_password(password)
    return user


def create_user(
    session: Session, email: str, display_name: str, password: str, role: str = LEARNER
) -> User:
    """Add and commit a user; a taken email raises AccountError (the unique index decides)."""
    user = new_user(email, display_name, password, role)
    session.add(user)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise AccountError(f"an account with the email {user.email} already exists") from exc
    return user
