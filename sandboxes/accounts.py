"""Accounts a sandboxed server runs as when we are root: by name, or a bare uid and gid."""

from __future__ import annotations

import pwd
from dataclasses import dataclass


@dataclass(frozen=True)
class Account:
    """Who a service runs as: uid and gid."""

    uid: int
    gid: int

    @classmethod
    def named(cls, user: str) -> Account:
        entry = pwd.getpwnam(user)
        return cls(entry.pw_uid, entry.pw_gid)


def account_of(user: str | Account | None) -> Account | None:
    """`user` as an Account: a name is looked up in /etc/passwd; None stays None."""
    return Account.named(user) if isinstance(user, str) else user
