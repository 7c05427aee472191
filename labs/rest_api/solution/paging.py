"""Keyset (cursor) pagination, newest first: a page continues after the last id seen.

The cursor carries that id, base64-encoded so clients treat it as opaque. Unlike an offset
it names a position in the order, not a count of rows before it, so rows created or deleted
between two requests neither repeat nor skip an item.
"""

import base64
import binascii
import json
from dataclasses import dataclass

from flask import request
from problems import Problem

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class PageRequest:
    limit: int
    after: int | None  # the id of the last item of the previous page; None: first page


def page_request() -> PageRequest:
    """?limit= and ?cursor= of this request; a limit above the maximum is capped."""
    raw_limit = request.args.get("limit")
    limit = DEFAULT_LIMIT
    if raw_limit is not None:
        if not raw_limit.isascii() or not raw_limit.isdigit() or int(raw_limit) < 1:
            raise Problem(400, "malformed-request",
                          f"limit must be an integer from 1, got {json.dumps(raw_limit)}")
        limit = min(int(raw_limit), MAX_LIMIT)
    cursor = request.args.get("cursor")
    return PageRequest(limit, None if cursor is None else decode_cursor(cursor))


def page_body(rows: list[dict], page: PageRequest, view) -> dict:
    """The page of `rows` (fetched with LIMIT limit + 1) as {"items", "next_cursor"}."""
    items = rows[:page.limit]
    return {"items": [view(row) for row in items], "next_cursor": next_cursor(rows, page)}


def next_cursor(rows: list[dict], page: PageRequest) -> str | None:
    """A cursor after this page's last row, or None when the extra row says nothing follows."""
    if len(rows) <= page.limit:
        return None
    return encode_cursor(rows[page.limit - 1]["id"])


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        last_id = position["after"]
    except (UnicodeEncodeError, binascii.Error, ValueError, TypeError, KeyError):
        last_id = None
    if isinstance(last_id, bool) or not isinstance(last_id, int):
        raise Problem(400, "malformed-request", "cursor is not one this API issued")
    return last_id
