"""Idempotency-Key for POST: a retry gets the original response and creates nothing new.

The key is claimed by inserting its row in the same transaction as the resource it creates.
A concurrent retry's INSERT waits on that row until the first request commits (then it
replays the stored response) or rolls back (then it runs the request itself). A request
that fails leaves no row, so the key can be used again.
"""

import hashlib
import json
from collections.abc import Callable

from db import get_db
from envelope import ApiError
from flask import Response, request

MAX_KEY_LENGTH = 255


def idempotent(create: Callable[[], Response], body: dict) -> Response:
    """Run `create` once per Idempotency-Key; replay its stored response for retries."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return create()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ApiError(400, "bad_request",
                       f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters")
    fingerprint = request_fingerprint(body)
    conn = get_db()
    with conn.transaction():
        claimed = conn.execute(
            "INSERT INTO idempotency_keys (key, fingerprint) VALUES (%s, %s)"
            " ON CONFLICT (key) DO NOTHING RETURNING key", (key, fingerprint)).fetchone()
        if claimed is None:
            stored = conn.execute("SELECT * FROM idempotency_keys WHERE key = %s",
                                  (key,)).fetchone()
            if stored["fingerprint"] != fingerprint:
                raise ApiError(422, "idempotency_key_reused",
                               "this Idempotency-Key was used for a different request")
            return replay(stored)
        response = create()
        conn.execute("UPDATE idempotency_keys SET status = %s, body = %s, location = %s"
                     " WHERE key = %s", (response.status_code, response.get_data(as_text=True),
                                         response.headers.get("Location"), key))
    return response


def request_fingerprint(body: dict) -> str:
    """Same method, path and JSON body (key order and spacing aside) -> same fingerprint."""
    canonical = json.dumps([request.method, request.path, body], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def replay(stored: dict) -> Response:
    headers = {"Idempotent-Replayed": "true"}
    if stored["location"]:
        headers["Location"] = stored["location"]
    return Response(stored["body"], status=stored["status"], headers=headers,
                    mimetype="application/json")
