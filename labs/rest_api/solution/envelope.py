"""The JSON envelope every response wears, and the error every handler can raise.

Bodies are serialised here, once, so an idempotent replay can return the very same bytes.
"""

import json
from datetime import UTC, datetime

from flask import Response


def timestamp() -> str:
    """Now, as ISO-8601 in UTC with a Z suffix."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def json_response(payload: dict, status: int, headers: dict | None = None) -> Response:
    body = json.dumps(payload, separators=(",", ":"))
    return Response(body, status=status, headers=headers, mimetype="application/json")


def ok(data, status: int = 200, headers: dict | None = None, **meta) -> Response:
    return json_response({"success": True, "data": data,
                          "meta": {"timestamp": timestamp(), **meta}}, status, headers)


def created(data, location: str) -> Response:
    return ok(data, 201, {"Location": location})


def no_content() -> Response:
    return Response(status=204)


class ApiError(Exception):
    """A failure the client caused; rendered as the error envelope with `status`."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None,
                 **details) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.details = details

    def response(self) -> Response:
        error = {"code": self.code, "message": self.message, **self.details}
        return json_response({"success": False, "error": error,
                              "meta": {"timestamp": timestamp()}}, self.status, self.headers)


def not_found(what: str = "resource") -> ApiError:
    return ApiError(404, "not_found", f"{what} not found")
