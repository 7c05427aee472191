"""Keyset cursors: the (created_at, id) of the last order a page showed, opaque to clients.

The next page is the orders strictly after that key in the page's order, so rows inserted
or deleted meanwhile never shift it (an offset would).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class BadCursor(ValueError):
    """The cursor was not made by encode()."""


def encode(created_at: datetime, order_id: int) -> str:
    raw = json.dumps([created_at.isoformat(), order_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, order_id = json.loads(raw)
        return datetime.fromisoformat(created_at), int(order_id)
    except (binascii.Error, ValueError, TypeError) as error:
        raise BadCursor(f"not a cursor of this API: {cursor}") from error


def limit_of(text: str | None) -> int:
    """?limit=, 1..MAX_LIMIT (capped), DEFAULT_LIMIT when absent."""
    if text is None:
        return DEFAULT_LIMIT
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"limit must be a positive integer, got {text}")
    return min(int(text), MAX_LIMIT)
