"""Logins kept on the server: the session cookie names one by a random token, and logout
ends it, so a cookie copied before logout (or stolen) stops working at once."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.models import Login, User, utcnow


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(db: Session, user: User) -> str:
    """Record a new login of `user`; returns the token for the session cookie."""
    token = secrets.token_urlsafe(32)
    db.add(Login(token_hash=_hash(token), user_id=user.id))
    db.commit()
    return token


def user_of(db: Session, user_id: object, token: object) -> User | None:
    """The user of a live login matching both the cookie's user id and token, else None."""
    if not isinstance(user_id, int) or not isinstance(token, str):
        return None
    return db.scalar(select(User).join(Login, Login.user_id == User.id).where(
        Login.token_hash == _hash(token), Login.user_id == user_id, Login.ended_at.is_(None)))


def end(db: Session, token: object) -> None:
    """End the login named by `token` (nothing happens for an unknown one)."""
    if isinstance(token, str):
        db.execute(update(Login).where(Login.token_hash == _hash(token), Login.ended_at.is_(None))
                   .values(ended_at=utcnow()))
        db.commit()
