"""Success responses: the resource itself as JSON, serialised once.

Serialising here, to text, is what lets an idempotent replay return the very same body.
"""

import json

from flask import Response


def json_response(resource: dict, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(resource), status=status, headers=headers,
                    mimetype="application/json")


def created(resource: dict, location: str) -> Response:
    return json_response(resource, 201, {"Location": location})


def no_content() -> Response:
    return Response(status=204)
