"""Sending the site's email (password-reset links) through the SMTP server the operator names.

Settings come from the app config, else the environment (README "Configuration"). Without
SMTP_HOST the site sends no mail and says so where a learner would wait for one. A link in a
mail is built on SITE_URL, never on the request's Host header, which any client can forge to
have a victim's reset link point at the forger's site.

Mail goes out on a background thread: the answer to "send me a link" must not take longer
for an email that has an account than for one that has none (that would enumerate accounts).
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from webapp.config import ConfigError, env_number

log = logging.getLogger(__name__)
SECURITY = ("starttls", "tls", "none")
SMTP_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    security: str
    username: str | None
    password: str | None
    sender: str
    site_url: str

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> MailSettings | None:
        """The settings the app config (then the environment) gives; None without SMTP_HOST."""

        def get(name: str, default: Any = None) -> Any:
            value = config.get(name)
            return value if value is not None else os.environ.get(name) or default

        host = get("SMTP_HOST")
        if not host:
            return None
        security = get("SMTP_SECURITY", "starttls")
        if security not in SECURITY:
            raise ConfigError(f"SMTP_SECURITY={security!r}: expected one of {', '.join(SECURITY)}")
        site_url = get("SITE_URL")
        if not site_url or urlsplit(site_url).scheme not in ("http", "https"):
            raise ConfigError(f"SITE_URL={site_url!r}: with SMTP_HOST set, the site's address "
                              "(https://...) is needed to build the links it mails")
        port = get("SMTP_PORT", 465 if security == "tls" else 587)
        return cls(host=host, port=int(env_number("SMTP_PORT", str(port), int)),
                   security=security, username=get("SMTP_USERNAME"),
                   password=get("SMTP_PASSWORD"),
                   sender=get("MAIL_FROM") or f"archlab@{urlsplit(site_url).hostname}",
                   site_url=site_url.rstrip("/"))

    def link(self, path: str) -> str:
        """The absolute address of the site's `path` (which starts with /)."""
        return self.site_url + path


def check_mail_environment(overridden: Mapping[str, Any]) -> None:
    """ConfigError for unusable SMTP_* / SITE_URL variables, at start-up rather than at the
    first reset a learner asks for."""
    MailSettings.of(overridden)


def compose(settings: MailSettings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.sender, to, subject
    message.set_content(body)
    return message


def send(settings: MailSettings, message: EmailMessage) -> None:
    """Deliver `message` now (raises smtplib/OS errors)."""
    context = ssl.create_default_context()
    smtp_class = smtplib.SMTP_SSL if settings.security == "tls" else smtplib.SMTP
    kwargs = {"context": context} if settings.security == "tls" else {}
    with smtp_class(settings.host, settings.port, timeout=SMTP_TIMEOUT_S, **kwargs) as smtp:
        if settings.security == "starttls":
            smtp.starttls(context=context)
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        smtp.send_message(message)


def send_later(settings: MailSettings, message: EmailMessage) -> threading.Thread:
    """Deliver `message` on a daemon thread; a failure is logged (the asker was already told
    "if an account exists, a link is on its way", whatever happens)."""

    def deliver() -> None:
        try:
            send(settings, message)
        except (OSError, smtplib.SMTPException):
            log.exception("could not send %r to %s via %s:%s", message["Subject"],
                          message["To"], settings.host, settings.port)

    thread = threading.Thread(target=deliver, name="archlab-mail", daemon=True)
    thread.start()
    return thread
