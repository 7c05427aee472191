"""The login and registration limits, each a LoginThrottle over its own key.

Three login limits, because each stops a different attack: one email from one address (a
typo-prone user is not locked out for long), one email from any address (password guessing
spread over a botnet) and one address for any email (credential stuffing). The per-email limit
lets an attacker lock a victim out for its window; it is set high enough that a real user's
typos never reach it. Registrations are limited per address so one client cannot mint
accounts (each runs sandboxes) in bulk. Reset mails are limited per email (no flooding a
victim's inbox) and per address.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app

from webapp.auth.throttle import LoginThrottle

EXTENSION = "archlab_auth_limits"
MINUTE = 60.0


# setting name: (default count, window in seconds); app.config may change the count
DEFAULTS = {
    "LOGIN_FAILURES_PER_EMAIL_AND_ADDRESS": (5, 5 * MINUTE),
    "LOGIN_FAILURES_PER_EMAIL": (20, 15 * MINUTE),
    "LOGIN_FAILURES_PER_ADDRESS": (50, 15 * MINUTE),
    "REGISTRATIONS_PER_ADDRESS": (10, 60 * MINUTE),
    "RESET_MAILS_PER_EMAIL": (3, 60 * MINUTE),
    "RESET_MAILS_PER_ADDRESS": (10, 60 * MINUTE),
}


@dataclass(frozen=True)
class AuthLimits:
    pair: LoginThrottle
    account: LoginThrottle
    address: LoginThrottle
    registrations: LoginThrottle
    reset_mails: LoginThrottle
    reset_asks: LoginThrottle

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AuthLimits:
        return cls(*(LoginThrottle(int(config.get(name, count)), window)
                     for name, (count, window) in DEFAULTS.items()))

    def login_wait(self, email: str, address: str) -> int:
        """Seconds before this email may try to log in from this address (0: now)."""
        return max(self.pair.retry_after((email, address)),
                   self.account.retry_after(("email", email)),
                   self.address.retry_after(("address", address)))

    def login_failed(self, email: str, address: str) -> None:
        self.pair.failed((email, address))
        self.account.failed(("email", email))
        self.address.failed(("address", address))

    def login_succeeded(self, email: str, address: str) -> None:
        """Forget this pair's typos; the wider counts stand, or a success would reset them."""
        self.pair.succeeded((email, address))

    def register_wait(self, address: str) -> int:
        return self.registrations.retry_after(("address", address))

    def registered(self, address: str) -> None:
        self.registrations.failed(("address", address))

    def reset_mail_wait(self, email: str, address: str) -> int:
        """Seconds before a reset link may be mailed to `email` at the ask of `address`; counted
        whether or not the email has an account, so the wait tells nothing about it."""
        return max(self.reset_mails.retry_after(("email", email)),
                   self.reset_asks.retry_after(("address", address)))

    def reset_mail_asked(self, email: str, address: str) -> None:
        self.reset_mails.failed(("email", email))
        self.reset_asks.failed(("address", address))


def auth_limits() -> AuthLimits:
    if EXTENSION not in current_app.extensions:
        current_app.extensions[EXTENSION] = AuthLimits.from_config(current_app.config)
    return current_app.extensions[EXTENSION]
