"""What the grader of the work-queue lab sees of a submission besides its API: the mailer
stub's outbox and request log (the effects, counted where they happen), and the Redis stream
and consumer group (what is queued, delivered, acknowledged or dead-lettered).

Nothing here trusts the learner's own account: an email was sent when it is in the mailer's
outbox, a message is finished when the group no longer holds it pending.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

STREAM = "emails"
GROUP = "mailers"
DEAD_LETTERS = "emails:dead"
SCAN_LIMIT = 1000   # entries read at most per look: a flooded stream cannot flood the grader


class MailerStub:
    """Admin access to the mailer stub (README.md, "The mailer")."""

    def __init__(self, url: str) -> None:
        self.url = url

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        response = httpx.post(self.url + path, json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def _get(self, path: str, addresses: list[str]) -> Any:
        response = httpx.get(self.url + path, params={"to": addresses}, timeout=10)
        response.raise_for_status()
        return response.json()

    def fail(self, to: str, status: int = 503) -> None:
        """Every send to `to` answers `status` and sends nothing."""
        self._post("/admin/rules", {"to": to, "fail": status})

    def hold(self, to: str, repeats: bool = False) -> None:
        """Sends to `to` go out, then their answer waits until `release`; with `repeats`, so
        does the replayed answer to a key already sent (else it comes at once)."""
        self._post("/admin/rules", {"to": to, "hold": True, "hold_repeats": repeats})

    def release(self, to: str) -> None:
        self._post("/admin/release", {"to": to})

    def sent_to(self, *addresses: str) -> list[dict[str, Any]]:
        """The emails the mailer really sent to these addresses (its outbox)."""
        return self._get("/admin/outbox", list(addresses))["sent"]

    def calls_for(self, to: str) -> list[dict[str, Any]]:
        """Every send call for `to`: {to, idempotency_key, at, outcome, replayed}."""
        return self._get("/admin/requests", [to])["requests"]


def text(value: Any) -> Any:
    """A redis-py value as str (the grader's client answers bytes)."""
    return value.decode() if isinstance(value, bytes) else value


def stream_id(message_id: str) -> tuple[int, int]:
    """A stream entry id ("1700000000000-3") as a comparable pair."""
    millis, _, sequence = message_id.partition("-")
    return int(millis), int(sequence or 0)


@dataclass(frozen=True)
class Entry:
    message_id: str
    fields: dict[str, str]


class Stream:
    """The `emails` stream and its `mailers` group, read from the grader's side."""

    def __init__(self, client: Any) -> None:
        self.redis = client

    def entries(self, stream: str = STREAM) -> list[Entry]:
        """The newest SCAN_LIMIT entries, oldest first (what the grader looks for is recent)."""
        newest = self.redis.xrevrange(stream, count=SCAN_LIMIT)
        return [Entry(text(message_id), {text(k): text(v) for k, v in fields.items()})
                for message_id, fields in reversed(newest)]

    def entries_of(self, email_id: str, stream: str = STREAM) -> list[Entry]:
        return [entry for entry in self.entries(stream) if entry.fields.get("id") == email_id]

    def add_copy(self, entry: Entry) -> str:
        """Queue the entry's fields once more: the same email delivered a second time."""
        return text(self.redis.xadd(STREAM, entry.fields))

    def group(self) -> dict[str, Any] | None:
        if not self.redis.exists(STREAM):
            return None
        for group in self.redis.xinfo_groups(STREAM):
            info = {text(key): text(value) for key, value in group.items()}
            if info["name"] == GROUP:
                return info
        return None

    def pending_ids(self) -> set[str]:
        if self.group() is None:
            return set()
        return {text(p["message_id"]) for p in self.redis.xpending_range(
            STREAM, GROUP, "-", "+", SCAN_LIMIT)}

    def pending_entry(self, message_id: str) -> dict[str, Any] | None:
        """The group's pending entry of one message ({consumer, idle_ms, times_delivered}),
        or None when it is not pending."""
        if self.group() is None:
            return None
        for pending in self.redis.xpending_range(STREAM, GROUP, message_id, message_id, 1):
            if text(pending["message_id"]) == message_id:
                return {"consumer": text(pending["consumer"]),
                        "idle_ms": int(pending["time_since_delivered"]),
                        "times_delivered": int(pending["times_delivered"])}
        return None

    def redeliver_later(self, message_id: str) -> None:
        """Make a pending message idle from now on, with the consumer that holds it (XCLAIM
        ... JUSTID: no delivery counted), as if that consumer had just read it."""
        entry = self.pending_entry(message_id)
        if entry is not None:
            self.redis.xclaim(STREAM, GROUP, entry["consumer"], 0, [message_id], justid=True)

    def delivered(self, message_id: str) -> bool:
        """The group has read the message (whether or not it was acknowledged since)."""
        group = self.group()
        return group is not None and (stream_id(group["last-delivered-id"])
                                      >= stream_id(message_id))

    def finished(self, message_id: str) -> bool:
        """Delivered to the group and acknowledged."""
        return self.delivered(message_id) and message_id not in self.pending_ids()

    def backlog(self) -> int:
        """Entries the group has not finished: not yet delivered (lag) plus pending."""
        group = self.group()
        if group is None:
            return int(self.redis.xlen(STREAM))
        undelivered = self.redis.xrange(STREAM, f"({group['last-delivered-id']}", "+",
                                        count=SCAN_LIMIT)
        return len(undelivered) + int(group["pending"])
