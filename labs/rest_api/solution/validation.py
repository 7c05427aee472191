"""Request bodies and query parameters: parse them, or say precisely what is wrong.

Malformed input (not JSON, not an object, a bad query parameter) is 400; a well-formed body
whose fields break the rules is 422 with one entry per field.
"""

import json
import re

from envelope import ApiError
from flask import request

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DIGITS = re.compile(r"[0-9]+")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_QUANTITY = 10_000
MAX_PRICE_CENTS = 100_000_000


def json_body() -> dict:
    """The request body as a JSON object, whatever the Content-Type claims."""
    try:
        body = json.loads(request.get_data(as_text=True) or "null")
    except ValueError:
        raise ApiError(400, "bad_request", "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "the body must be a JSON object")
    return body


def pagination() -> tuple[int, int]:
    """(limit, offset) from the query string; a limit above the maximum is capped."""
    limit = query_int("limit", DEFAULT_LIMIT, minimum=1)
    offset = query_int("offset", 0, minimum=0)
    return min(limit, MAX_LIMIT), offset


def query_int(name: str, default: int, minimum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not DIGITS.fullmatch(raw) or int(raw) < minimum:
        raise ApiError(400, "bad_request", f"{name} must be an integer >= {minimum}, got {raw!r}")
    return int(raw)


class FieldErrors:
    """Collects one message per invalid field, then raises them together as a 422."""

    def __init__(self) -> None:
        self.errors: list[dict] = []

    def add(self, field: str, message: str) -> None:
        self.errors.append({"field": field, "message": message})

    def text(self, body: dict, field: str, max_length: int, required: bool,
             min_length: int = 1) -> str | None:
        if field not in body:
            if required:
                self.add(field, "is required")
            return None
        value = body[field]
        if not isinstance(value, str):
            self.add(field, "must be a string")
            return None
        value = value.strip()
        if not min_length <= len(value) <= max_length:
            self.add(field, f"must be {min_length} to {max_length} characters")
            return None
        return value

    def email(self, body: dict, required: bool) -> str | None:
        value = self.text(body, "email", 254, required)
        if value is not None and not EMAIL.match(value):
            self.add("email", "must be a valid email address")
            return None
        return value

    def integer(self, body: dict, field: str, minimum: int, maximum: int) -> int | None:
        value = body.get(field)
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(field, "must be an integer")
            return None
        if not minimum <= value <= maximum:
            self.add(field, f"must be between {minimum} and {maximum}")
            return None
        return value

    def raise_if_any(self) -> None:
        if self.errors:
            raise ApiError(422, "validation_failed", "the request has invalid fields",
                           fields=self.errors)
