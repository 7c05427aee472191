"""What a valid body is, field by field; every broken rule becomes one `errors` entry."""

import re

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class Rules:
    def __init__(self, body):
        self.body = body
        self.errors = []

    def _fail(self, field, why):
        self.errors.append({"pointer": "#/" + field, "detail": why})

    def text(self, field, shortest, longest, *, required):
        if field not in self.body:
            if required:
                self._fail(field, "is missing")
            return None
        value = self.body[field]
        if isinstance(value, str) and shortest <= len(value.strip()) <= longest:
            return value.strip()
        self._fail(field, f"should be text of {shortest}-{longest} characters")
        return None

    def email(self, *, required):
        value = self.text("email", 1, 254, required=required)
        if value is None or EMAIL.fullmatch(value):
            return value
        self._fail("email", "should look like someone@example.org")
        return None

    def whole(self, field, lowest, highest):
        value = self.body.get(field)
        if isinstance(value, int) and not isinstance(value, bool) and lowest <= value <= highest:
            return value
        self._fail(field, f"should be a whole number from {lowest} to {highest}")
        return None
