"""What a record is on the wire: its key in the path and owner, score and value in the body."""

import re

KEY = re.compile(r"[A-Za-z0-9_.:-]{1,200}")
MAX_LIMIT = 100
DEFAULT_LIMIT = 20


class InvalidRecord(ValueError):
    """The request does not describe a record; the message says why."""


def parse_record(key: str, body: object) -> dict:
    if not KEY.fullmatch(key):
        raise InvalidRecord("key must be 1-200 characters of A-Z a-z 0-9 _ . : -")
    if not isinstance(body, dict):
        raise InvalidRecord("body must be a JSON object")
    owner, score, value = body.get("owner"), body.get("score"), body.get("value")
    if not isinstance(owner, str) or not owner:
        raise InvalidRecord("owner must be a non-empty string")
    if not isinstance(score, int) or isinstance(score, bool) or not -2**31 <= score < 2**31:
        raise InvalidRecord("score must be a 32-bit integer")
    if not isinstance(value, str):
        raise InvalidRecord("value must be a string")
    return {"key": key, "owner": owner, "score": score, "value": value}


def parse_page(args) -> tuple[str, int, int]:
    """owner, limit and offset of GET /records."""
    owner = args.get("owner", "")
    if not owner:
        raise InvalidRecord("owner is required")
    try:
        limit = int(args.get("limit", DEFAULT_LIMIT))
        offset = int(args.get("offset", 0))
    except ValueError:
        raise InvalidRecord("limit and offset must be integers") from None
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise InvalidRecord(f"limit must be 1-{MAX_LIMIT} and offset at least 0")
    return owner, limit, offset
