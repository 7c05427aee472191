"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, for the tests of the
mails the site sends. The site talks to it with smtplib exactly as to a production relay."""

from __future__ import annotations

import email
import email.policy
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest

from sandboxes.local_servers import free_port

LINK = re.compile(r"https?://\S+/password/reset/[\w-]+")


@dataclass
class Mailbox:
    """What the server received, in order; `wait` blocks until a mail to someone arrives."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.arrived.notify_all()
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def wait(self, address: str, timeout: float = 10.0) -> EmailMessage:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while not self.to(address):
                left = deadline - time.monotonic()
                assert left > 0, f"expected a mail to {address} within {timeout} s, got none"
                self.arrived.wait(left)
            return self.to(address)[-1]

    def config(self, site_url: str) -> dict[str, Any]:
        """The site's settings to mail through this server, links built on `site_url`."""
        return {"SMTP_HOST": self.host, "SMTP_PORT": self.port, "SMTP_SECURITY": "none",
                "SITE_URL": site_url, "MAIL_FROM": "archlab@example.org"}


def reset_link(message: EmailMessage) -> str:
    body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = LINK.search(body)
    assert found, f"expected a reset link in the mail, got: {body!r}"
    return found.group(0)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server listening on 127.0.0.1 for one test."""
    from aiosmtpd.controller import Controller

    box = Mailbox("127.0.0.1", free_port())
    controller = Controller(box, hostname=box.host, port=box.port)
    controller.start()
    yield box
    controller.stop()
