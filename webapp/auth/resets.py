"""Password-reset links: issued for a user, redeemed once before they expire.

The link carries a random token and the table only its SHA-256 (as for logins), so reading
the table gives no working link. Redeeming is one conditional UPDATE (unused and unexpired),
so two tabs racing with the same link cannot both win. A reset ends every login of the user:
whoever knew the old password is logged out with it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.auth import logins
from webapp.config import env_number
from webapp.models import PasswordReset, User, utcnow

DEFAULT_MINUTES = 60.0


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(db: Session, user: User, lifetime: timedelta) -> str:
    """A new reset token for `user`, valid for `lifetime`; the user's older unused links die."""
    now = utcnow()
    db.execute(update(PasswordReset).where(PasswordReset.user_id == user.id,
                                           PasswordReset.used_at.is_(None))
               .values(used_at=now))
    token = secrets.token_urlsafe(32)
    db.add(PasswordReset(token_hash=_hash(token), user_id=user.id, created_at=now,
                         expires_at=now + lifetime))
    db.commit()
    return token


def _usable(token: str) -> tuple:  # type: ignore[type-arg]
    return (PasswordReset.token_hash == _hash(token), PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > utcnow())


def holder(db: Session, token: object) -> User | None:
    """The user a still-usable token would reset, without using it (for the form's GET)."""
    if not isinstance(token, str):
        return None
    return db.scalar(select(User).join(PasswordReset, PasswordReset.user_id == User.id)
                     .where(*_usable(token)))


def redeem(db: Session, token: object, password: str) -> User | None:
    """Set the password of the token's user and use the token up; None if it is unknown,
    used or expired (the password is then left as it was)."""
    user = holder(db, token)
    if user is None:
        return None
    used = db.execute(update(PasswordReset).where(*_usable(str(token))).values(used_at=utcnow()))
    if used.rowcount != 1:  # type: ignore[attr-defined] - another request used it just now
        db.rollback()
        return None
    user.set_password(password)
    db.commit()
    logins.end_all(db, user)
    return user


def lifetime(config: Mapping[str, Any]) -> timedelta:
    """How long a reset link works: PASSWORD_RESET_MINUTES (app config, else environment)."""
    raw = config.get("PASSWORD_RESET_MINUTES") or os.environ.get("PASSWORD_RESET_MINUTES")
    minutes = DEFAULT_MINUTES if raw is None else env_number("PASSWORD_RESET_MINUTES", str(raw),
                                                             float)
    return timedelta(minutes=minutes)
