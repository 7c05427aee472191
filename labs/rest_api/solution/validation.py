"""Request bodies: parse them, or say precisely what is wrong.

A body that is not a JSON object is 400; a well-formed body whose fields break the rules is
422 with one entry per field, each a JSON Pointer to the field and a sentence.
"""

import json
import re

from flask import request
from problems import Problem

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_QUANTITY = 10_000
MAX_PRICE_CENTS = 100_000_000


def json_body() -> dict:
    """The request body as a JSON object, whatever the Content-Type claims."""
    try:
        body = json.loads(request.get_data(as_text=True) or "null")
    except ValueError:
        raise Problem(400, "malformed-request", "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise Problem(400, "malformed-request", "the body must be a JSON object")
    return body


class FieldErrors:
    """Collects one entry per invalid field, then raises them together as a 422."""

    def __init__(self) -> None:
        self.errors: list[dict] = []

    def add(self, field: str, detail: str) -> None:
        self.errors.append({"pointer": f"#/{field}", "detail": detail})

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
            self.add("email", "must be an email address")
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
            count = len(self.errors)
            raise Problem(422, "validation-failed",
                          f"{count} field{'s are' if count > 1 else ' is'} invalid",
                          errors=self.errors)
