"""Logins kept on the server: the session cookie names one by a random token, and logout
ends it, so a cookie copied before logout (or stolen) stops working at once. A login also
lapses when unused for a while or when simply too old, and a user can end all of theirs."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, not_, select, update
from sqlalchemy.orm import Session

from webapp.models import Login, User, utcnow

# last_seen_at is rewritten at most this often per login: a write per request buys nothing.
SEEN_GRANULARITY = timedelta(minutes=5)


@dataclass(frozen=True)
class Lifetimes:
    """How long a login lives: `idle` since its last request, `whole` since it began."""

    idle: timedelta
    whole: timedelta

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> Lifetimes:
        """The lifetimes an app's config sets (LOGIN_IDLE_DAYS, LOGIN_MAX_DAYS)."""
        return cls(idle=timedelta(days=config["LOGIN_IDLE_DAYS"]),
                   whole=timedelta(days=config["LOGIN_MAX_DAYS"]))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _live(now: datetime, lifetimes: Lifetimes) -> tuple[ColumnElement[bool], ...]:
    """The conditions a login meets while it still counts."""
    return (Login.ended_at.is_(None), Login.last_seen_at > now - lifetimes.idle,
            Login.created_at > now - lifetimes.whole)


def start(db: Session, user: User, lifetimes: Lifetimes) -> str:
    """Record a new login of `user`; returns the token for the session cookie. The user's
    ended and lapsed logins are deleted on the way, so the table holds live ones (and the
    dead ones of users who have not logged in since)."""
    token = secrets.token_urlsafe(32)
    db.execute(delete(Login).where(Login.user_id == user.id,
                                   not_(and_(*_live(utcnow(), lifetimes)))))
    db.add(Login(token_hash=_hash(token), user_id=user.id))
    db.commit()
    return token


def user_of(db: Session, user_id: object, token: object, lifetimes: Lifetimes) -> User | None:
    """The user of a live login matching both the cookie's user id and token, else None.

    Live means not ended, used within `lifetimes.idle` and begun within `lifetimes.whole`;
    a hit moves the login's last_seen_at forward (at most once per SEEN_GRANULARITY).
    """
    if not isinstance(user_id, int) or not isinstance(token, str):
        return None
    now = utcnow()
    live = (Login.token_hash == _hash(token), Login.user_id == user_id, *_live(now, lifetimes))
    stale = Login.last_seen_at < now - SEEN_GRANULARITY
    found = db.execute(select(User, stale).join(Login, Login.user_id == User.id)
                       .where(*live)).first()
    if found is None:
        return None
    user, is_stale = found
    if is_stale:  # write only then: even an UPDATE of no row holds SQLite's write lock
        db.execute(update(Login).where(*live).values(last_seen_at=now))
        db.commit()
    return user


def end(db: Session, token: object) -> None:
    """End the login named by `token` (nothing happens for an unknown one)."""
    if isinstance(token, str):
        db.execute(update(Login).where(Login.token_hash == _hash(token), Login.ended_at.is_(None))
                   .values(ended_at=utcnow()))
        db.commit()


def end_all(db: Session, user: User) -> int:
    """End every live login of `user` (all browsers, this one included); returns how many."""
    ended = db.execute(update(Login).where(Login.user_id == user.id, Login.ended_at.is_(None))
                       .values(ended_at=utcnow()))
    db.commit()
    return int(ended.rowcount)  # type: ignore[attr-defined]


def live_count(db: Session, user: User, lifetimes: Lifetimes) -> int:
    """How many browsers `user` is logged in on now."""
    return int(db.scalar(select(func.count()).select_from(Login).where(
        Login.user_id == user.id, *_live(utcnow(), lifetimes))) or 0)
