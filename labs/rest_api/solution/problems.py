"""Errors as RFC 9457 problem details: one exception every handler can raise.

A problem's `type` URI names its kind (clients branch on it), `title` describes the kind,
`detail` this occurrence; the body goes out as application/problem+json.
"""

import json

from flask import Response

TYPE_BASE = "https://api.example.com/problems/"
TITLES = {
    "malformed-request": "Malformed request",
    "unsupported-version": "Unsupported API version",
    "not-found": "Resource not found",
    "method-not-allowed": "Method not allowed",
    "email-taken": "Email already taken",
    "precondition-failed": "Precondition failed",
    "validation-failed": "Your request is not valid",
    "idempotency-key-reused": "Idempotency key reused",
    "internal-error": "Internal server error",
}


class Problem(Exception):
    """A failure answered as a problem of kind `kind` (a key of TITLES) with `status`."""

    def __init__(self, status: int, kind: str, detail: str, headers: dict | None = None,
                 **extensions) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.headers = headers
        self.extensions = extensions

    def response(self) -> Response:
        body = {"type": TYPE_BASE + self.kind, "title": TITLES[self.kind],
                "status": self.status, "detail": self.detail, **self.extensions}
        return Response(json.dumps(body), status=self.status, headers=self.headers,
                        mimetype="application/problem+json")


def not_found(detail: str) -> Problem:
    return Problem(404, "not-found", detail)
